import { reportStream, runnerReporter } from '../runner-report.ts';
import { main } from './verify-plan.ts';

// In the build every line the verifier writes is a runner report (src/runner-report.ts),
// which the build's Slack thread shows.
const report = runnerReporter('verify');
process.exitCode = await main(
  process.argv.slice(2),
  reportStream(report.info) as unknown as typeof process.stdout,
  reportStream((text) => report.error(text)) as unknown as typeof process.stderr,
);

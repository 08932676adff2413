import { decodeBuildRun, describeBuildRun } from '../src/build-env.ts';
import { runnerReporter } from '../src/runner-report.ts';
import { snapshotFromEnvironment } from './snapshot.ts';

// The build's one run step (infrastructure/aws/codebuild-migrations.buildspec.yml): the kind is
// decoded here, by src/build-env.ts, and nowhere in the buildspec, so the step that runs reads
// RUN_MIGRATIONS / RUN_SEED / CLEAN exactly as the verifier did. Each entry checks the approval
// and claims the run itself before it changes anything.
const kind = decodeBuildRun(process.env);
if (!kind.ok) {
  console.error(`Refusing: ${kind.reason}.`);
  process.exit(3);
}
console.log(`Build kind: ${describeBuildRun(kind.run)}.`);
// The snapshot the bot decided on comes first, before the migrator opens a connection: a
// snapshot that fails or never becomes available stops the run with nothing changed (exit 2,
// "cannot start", as database/migrate.ts numbers it).
if (kind.run.kind === 'migrate') {
  const report = runnerReporter('migrate');
  const snapshot = await snapshotFromEnvironment(process.env, report.progress, {
    pollMs: /^[0-9]{1,7}$/.test(process.env.DEPLOYBOT_SNAPSHOT_POLL_MS ?? '') ? Number(process.env.DEPLOYBOT_SNAPSHOT_POLL_MS) : undefined,
  });
  if (!snapshot.ok) {
    report.error(`${snapshot.reason}. Refusing to migrate without the snapshot the request was approved with.`);
    process.exit(2);
  }
}
// The entries are scripts: importing one runs it, with this process's environment and no --local.
if (kind.run.kind === 'migrate') await import('./migrate.ts');
else await import('./seed.ts');

import { serve } from '@hono/node-server';
import { bootOnce } from './bot/boot.ts';
import { createHttpApp } from './http/app.ts';
import { createLog } from './log.ts';

// `npm run dev`: the same HTTP app as the Lambda, on a local port (expose it with a tunnel and
// point the Slack app's request URLs at it). Dry-run results come from `npm run build`'s table:
// DRY_RUNS_FILE=dist/lambda/dry-runs.json.
const log = createLog({ service: 'deploybot', handler: 'dev' });
const port = Number(process.env.PORT ?? 3000);
serve({ fetch: createHttpApp(bootOnce(log)).fetch, port }, () => log.info('listening', { url: `http://localhost:${port}/slack/events` }));

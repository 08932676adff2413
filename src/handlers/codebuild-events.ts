import { createLog } from '../log.ts';
import { createBuildEventHandler } from '../status/build-event-handler.ts';

// Lambda entry for EventBridge: CodeBuild Build State Change and Build Phase Change events
// of the migration projects (the rule in infrastructure/aws filters on them).
const log = createLog({ service: 'deploybot', handler: 'codebuild-events' });
export const handler = createBuildEventHandler(process.env, log);

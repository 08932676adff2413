import type { BuildSummary } from '../aws/codebuild.ts';
import type { DeploybotConfig } from '../config.ts';
import type { RequestRecord } from '../requests/record.ts';

// A build's DEPLOYBOT_REQUEST_ID is a claim, not a proof: whoever may call StartBuild on any
// project sets any variables, and a staging build of a prod request's plan is one copy-paste
// away. A build settles a request (its state, its lock, its result reply) only if it is that
// request's build: run in the project and region of the request's environment as the config
// has them, and the very build the record names.
//
// The record's build id is what decides. It is written by whoever started the build (the job,
// from StartBuild's answer) or by the reconciler, which adopts the build of a request stuck in
// `starting` after searching that environment's project for it. A build event or
// `/daadaar status` never adopts: a record with no build id binds no build.

export type BuildBinding = { ok: true } | { ok: false; reason: string };

export function bindBuild(
  record: Pick<RequestRecord, 'id' | 'env' | 'build'>,
  build: Pick<BuildSummary, 'id' | 'project'>,
  region: string,
  config: DeploybotConfig,
): BuildBinding {
  const env = config.environments[record.env];
  if (!env) return { ok: false, reason: `request ${record.id} is for ${record.env}, which is no longer configured` };
  if (build.project !== env.codebuildProject || region !== env.region) {
    return {
      ok: false,
      reason: `build ${build.id} ran in ${build.project} (${region}), not in ${record.env}'s project ${env.codebuildProject} (${env.region})`,
    };
  }
  if (!record.build) return { ok: false, reason: `request ${record.id} names no build yet; only the job or the reconciler binds one` };
  if (record.build.id !== build.id || record.build.region !== region) {
    return { ok: false, reason: `request ${record.id}'s build is ${record.build.id}, not ${build.id}` };
  }
  return { ok: true };
}

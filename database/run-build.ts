import { decodeBuildRun, describeBuildRun } from '../src/build-env.ts';

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
// The entries are scripts: importing one runs it, with this process's environment and no --local.
if (kind.run.kind === 'migrate') await import('./migrate.ts');
else await import('./seed.ts');

import { appendFile } from 'node:fs/promises';

// GitHub Actions sets GITHUB_STEP_SUMMARY to a file per step; Markdown appended to it is shown
// on the run's summary page (docs.github.com, "Adding a job summary"). Outside Actions there is
// no such file and nothing is written.

export async function appendStepSummary(markdown: string, env: NodeJS.ProcessEnv): Promise<{ ok: true } | { ok: false; reason: string }> {
  const path = env.GITHUB_STEP_SUMMARY;
  if (!path) return { ok: true };
  try {
    await appendFile(path, `${markdown}\n`);
    return { ok: true };
  } catch (error) {
    return { ok: false, reason: (error as Error).message };
  }
}

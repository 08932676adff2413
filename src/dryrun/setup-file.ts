import { readFile } from 'node:fs/promises';
import type { DryRunContext } from './context.ts';

/** `--dry-run-setup FILE.sql` or an environment's `dryRun.setup`: read once, named by its path in results. */
export async function readDryRunSetup(
  file: string,
): Promise<{ ok: true; setup: NonNullable<DryRunContext['setup']> } | { ok: false; reason: string }> {
  try {
    return { ok: true, setup: { file, sql: await readFile(file, 'utf8') } };
  } catch (error) {
    return {
      ok: false,
      reason: `cannot read the dry-run setup ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
    };
  }
}

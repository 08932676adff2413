import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { sha256 } from './plan.ts';

// What a seed build runs: the entry and the module holding the seed's rows. Their hash is the
// seed part of a seed plan: an image whose seed data or logic changed is not the one approved.
export const SEED_FILES = ['database/seed.ts', 'database/seed-organizations.ts'] as const;

export type SeedFilesHash = { ok: true; sha256: string } | { ok: false; reason: string };

/** sha256 over `path \t sha256(file)` lines, in SEED_FILES order, relative to the repository (or image) root. */
export async function seedFilesSha256(root: string): Promise<SeedFilesHash> {
  const lines: string[] = [];
  for (const file of SEED_FILES) {
    const text = await readFile(join(root, file), 'utf8').catch(() => undefined);
    if (text === undefined) return { ok: false, reason: `${file}: missing, cannot hash the seed` };
    lines.push(`${file}\t${sha256(text)}\n`);
  }
  return { ok: true, sha256: sha256(lines.join('')) };
}

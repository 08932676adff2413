import type { DryRunContext } from '../dryrun/context.ts';
import { readDryRunSetup } from '../dryrun/setup-file.ts';

// The review command's options that make the embedded dry run start where production does
// (src/dryrun/context.ts says why each is needed).

export const DRY_RUN_OPTIONS = { 'search-path': { type: 'string' }, 'dry-run-setup': { type: 'string' } } as const;

export const DRY_RUN_USAGE = `  --search-path LIST  the dry run's search_path, as the migration role has it (app,public);
                      with --database-url the target role's own is used unless this is given
  --dry-run-setup FILE.sql
                      SQL the dry run runs before the history: what the platform provides
                      (Supabase's auth schema and auth.users, roles, extensions created by hand)`;

export type DryRunOption = { ok: true; context: DryRunContext } | { ok: false; reason: string };

export async function readDryRunOptions(values: { 'search-path'?: string; 'dry-run-setup'?: string }): Promise<DryRunOption> {
  const context: DryRunContext = {};
  const list = values['search-path'];
  if (list !== undefined) {
    const names = list.split(',').map((s) => s.trim());
    if (names.some((n) => n === '')) return { ok: false, reason: `--search-path: "${list}" is not a comma-separated list of schemas` };
    context.searchPath = names.join(', ');
  }
  const file = values['dry-run-setup'];
  if (file !== undefined) {
    const read = await readDryRunSetup(file);
    if (!read.ok) return { ok: false, reason: `--dry-run-setup: ${read.reason}` };
    context.setup = read.setup;
  }
  return { ok: true, context };
}

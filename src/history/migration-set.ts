import { createHash } from 'node:crypto';
import type { MigrationSource } from '../review/model.ts';

/**
 * The migration files' sha256: one line per journal entry (tag, journal `when`, sha256 of the
 * file), so a reordered journal, an edited file or a re-timed entry all change it. It tells two
 * checkouts or images apart (`deploybot hash`), shown as "migration files sha256". It is NOT
 * what approvers approve or what a build is pinned to: that is the plan sha256
 * (src/history/plan.ts), which also pins the target's applied history and the image.
 */
export function migrationSetHash(migrations: readonly Pick<MigrationSource, 'tag' | 'when' | 'hash'>[]): string {
  const lines = migrations.map((m) => `${m.tag}\t${m.when ?? ''}\t${m.hash}\n`).join('');
  return createHash('sha256').update(lines).digest('hex');
}

import { createHash } from 'node:crypto';
import type { MigrationSource } from '../review/model.ts';

/**
 * The identity of a migration set: what was reviewed, in the order it runs. One line per
 * journal entry (tag, journal `when`, sha256 of the file), so a reordered journal, an edited
 * file or a re-timed entry all change it. The bot pins a build to this value and the build
 * recomputes it inside the image (`npm run migrations:hash`) before migrating.
 */
export function migrationSetHash(migrations: readonly Pick<MigrationSource, 'tag' | 'when' | 'hash'>[]): string {
  const lines = migrations.map((m) => `${m.tag}\t${m.when ?? ''}\t${m.hash}\n`).join('');
  return createHash('sha256').update(lines).digest('hex');
}

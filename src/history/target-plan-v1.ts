import type { MigrationSource } from '../review/model.ts';
import type { AppliedRow, Drift, TargetPlan } from './target-plan.ts';

// drizzle-orm v1 decides by name (drizzle-orm, branch beta, src/migrator.utils.ts
// getMigrationsToRun): every local migration whose folder name is not in the table's `name`
// column runs, older ones included. Rows written before v1 have no name until v1's migrator
// upgrades the table, matching each row to a folder by created_at (to the second), then by
// hash (src/up-migrations/pg.ts); the review matches such rows the same way.

export function planByName(migrations: readonly MigrationSource[], rows: readonly AppliedRow[]): TargetPlan {
  const byName = new Map(migrations.map((m) => [m.name ?? m.tag, m]));
  const bySecond = new Map<number, MigrationSource[]>();
  for (const m of migrations) {
    if (m.when === undefined) continue;
    const second = Math.floor(m.when / 1000);
    bySecond.set(second, [...(bySecond.get(second) ?? []), m]);
  }
  const nameOf = (row: AppliedRow): string | undefined => {
    if (row.name) return row.name;
    const sameSecond = bySecond.get(Math.floor(row.createdAt / 1000)) ?? [];
    const match =
      sameSecond.length === 1
        ? sameSecond[0]
        : (sameSecond.find((m) => m.hash === row.hash) ?? migrations.find((m) => m.hash === row.hash));
    return match?.name;
  };

  const drift: Drift[] = [];
  const appliedNames = new Set<string>();
  for (const row of rows) {
    const name = nameOf(row);
    const file = name === undefined ? undefined : byName.get(name);
    if (name !== undefined) appliedNames.add(name);
    if (!file) {
      drift.push({
        kind: 'unknown-applied',
        message: `The database records a migration (row ${row.id}${name ? `, name ${name}` : ''}, sha256 ${row.hash.slice(0, 12)}…) that matches no folder in this repository: it was applied from another branch or its folder was deleted.`,
      });
    } else if (file.hash !== row.hash) {
      drift.push({
        kind: 'edited-after-apply',
        tag: file.tag,
        message: `${file.file} was edited after it was applied: the database ran a version with sha256 ${row.hash.slice(0, 12)}…, the file now hashes to ${file.hash.slice(0, 12)}…. drizzle never re-runs it.`,
      });
    }
  }
  const applied = migrations.filter((m) => appliedNames.has(m.name ?? m.tag));
  const pending = migrations.filter((m) => !appliedNames.has(m.name ?? m.tag));
  const lastApplied = rows.reduce<AppliedRow | undefined>((last, row) => (!last || row.createdAt > last.createdAt ? row : last), undefined);
  for (const m of pending) {
    if (lastApplied && m.when !== undefined && m.when < lastApplied.createdAt)
      drift.push({
        kind: 'out-of-order',
        tag: m.tag,
        message: `${m.file} is older than the last applied migration but was never applied: drizzle v1 applies it now, after migrations that were written after it.`,
      });
  }
  return { applied, pending, drift, lastApplied };
}

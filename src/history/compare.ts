import type { AppliedHistory, PendingSet, Plan, PlannedMigration } from './plan.ts';

// Which part of a plan differs, as one line a person reads in the build's log tail. The
// applied history is compared before the pending set: when the target moved, the pending set
// moves with it, and the history is the cause worth naming.

export type PlanPart = 'kind' | 'image' | 'applied-history' | 'pending-set' | 'seed-file' | 'clean';

export type PlanDifference = { same: true } | { same: false; part: PlanPart; reason: string };

export function comparePlans(approved: Plan, actual: Plan): PlanDifference {
  if (approved.kind !== actual.kind) {
    return differ('kind', `the approved plan is a ${approved.kind} plan, but this build is a ${actual.kind}`);
  }
  // A null approved image: no digest could be resolved at review time and the approvers
  // confirmed that in the typed confirmation; anything else must be the very image approved.
  if (approved.image !== null && approved.image !== actual.image) {
    return differ(
      'image',
      `the image differs: approved ${approved.image}, this build runs ${actual.image ?? 'an image whose digest it cannot tell'}`,
    );
  }
  if (approved.kind === 'seed' && actual.kind === 'seed') {
    if (approved.seedSha256 !== actual.seedSha256) {
      return differ(
        'seed-file',
        `the seed's files differ: approved sha256 ${short(approved.seedSha256)}, this image holds ${short(actual.seedSha256)}`,
      );
    }
    if (approved.clean !== actual.clean) {
      return differ('clean', `CLEAN differs: approved CLEAN=${approved.clean}, this build has CLEAN=${actual.clean}`);
    }
    return { same: true };
  }
  if (approved.kind === 'migrate' && actual.kind === 'migrate') {
    const history = compareHistory(approved.applied, actual.applied);
    if (history) return differ('applied-history', history);
    const pending = comparePending(approved.pending, actual.pending);
    if (pending) return differ('pending-set', pending);
  }
  return { same: true };
}

function differ(part: PlanPart, reason: string): PlanDifference {
  return { same: false, part, reason };
}

function compareHistory(approved: AppliedHistory, actual: AppliedHistory): string | undefined {
  if (approved.sha256 === actual.sha256 && approved.count === actual.count) return undefined;
  const moved = `the target's applied history changed since the review`;
  if (actual.count > approved.count) {
    return `${moved}: __drizzle_migrations now has ${actual.count} rows, the review saw ${approved.count} (${actual.count - approved.count} applied since)`;
  }
  if (actual.count < approved.count) {
    return `${moved}: __drizzle_migrations now has ${actual.count} rows, the review saw ${approved.count} (${approved.count - actual.count} removed since)`;
  }
  const [a, b] = [approved.last, actual.last];
  if (a && b && (a.id !== b.id || a.createdAt !== b.createdAt || a.hash !== b.hash)) {
    return `${moved}: the newest row was id ${a.id}, created_at ${a.createdAt}, hash ${short(a.hash)}; it is now id ${b.id}, created_at ${b.createdAt}, hash ${short(b.hash)}`;
  }
  return `${moved}: same ${actual.count} rows, but an older row's id, created_at or hash changed (rows hash to ${short(actual.sha256)}, the review saw ${short(approved.sha256)})`;
}

function comparePending(approved: PendingSet, actual: PendingSet): string | undefined {
  if (approved.sha256 === actual.sha256 && approved.count === actual.count) return undefined;
  const head = `the pending set differs: approved ${approved.count} migration${approved.count === 1 ? '' : 's'}, this image and target give ${actual.count}`;
  if (!approved.migrations || !actual.migrations) return `${head} (sha256 ${short(actual.sha256)}, approved ${short(approved.sha256)})`;
  return `${head}: ${describeListChange(approved.migrations, actual.migrations)}`;
}

function describeListChange(approved: PlannedMigration[], actual: PlannedMigration[]): string {
  const byTag = (list: PlannedMigration[]) => new Map(list.map((m) => [m.tag, m]));
  const [was, now] = [byTag(approved), byTag(actual)];
  const added = actual.filter((m) => !was.has(m.tag)).map((m) => m.tag);
  const removed = approved.filter((m) => !now.has(m.tag)).map((m) => m.tag);
  const edited = actual.filter((m) => was.has(m.tag) && was.get(m.tag)?.sha256 !== m.sha256).map((m) => m.tag);
  const retimed = actual.filter((m) => was.has(m.tag) && was.get(m.tag)?.when !== m.when).map((m) => m.tag);
  const parts = [
    added.length ? `not approved: ${list(added)}` : '',
    removed.length ? `approved but not pending: ${list(removed)}` : '',
    edited.length ? `file changed: ${list(edited)}` : '',
    retimed.length ? `journal time changed: ${list(retimed)}` : '',
  ].filter(Boolean);
  return parts.length ? parts.join('; ') : 'the same migrations in another order';
}

function list(tags: string[]): string {
  return tags.length > 5 ? `${tags.slice(0, 5).join(', ')} and ${tags.length - 5} more` : tags.join(', ');
}

function short(hash: string): string {
  return `${hash.slice(0, 12)}…`;
}

import { describeDryRun } from '../../history/target-review.ts';
import { redact } from '../../redact.ts';
import { fitText } from '../../slack/fit.ts';
import { LIMITS } from '../../slack/limits.ts';
import { escapeMrkdwn } from '../../slack/mrkdwn.ts';
import type { ReviewedSet } from '../migration-catalog.ts';

const MAX_DRIFT_SHOWN = 5;

/**
 * What the target has applied, what will run, drift, and the dry run: mrkdwn for the modal
 * and the review message, shown above the findings and before any approve button.
 */
export function targetSummary(set: ReviewedSet, env: string): string {
  const lines: string[] = [];
  const pending = set.migrations.map((m) => `\`${escapeMrkdwn(m.tag)}\``).join(', ');
  if (set.pendingKnown) {
    lines.push(
      set.migrations.length === 0
        ? `*Target:* \`${escapeMrkdwn(env)}\` has applied all ${set.appliedCount} migrations: nothing is pending.`
        : `*Target:* \`${escapeMrkdwn(env)}\` has applied ${set.appliedCount}; *${set.migrations.length} pending*: ${pending}`,
    );
  } else {
    lines.push(
      `:warning: *Pending set unknown*: the bot could not read ${escapeMrkdwn(env)}'s migration table (${escapeMrkdwn(redact(set.unknownReason ?? 'no reason given'))}), so the whole shipped history is listed; drizzle applies only entries newer than the last one applied.`,
    );
  }
  if (set.drift.length > 0) {
    lines.push(
      `:rotating_light: *Drift (${set.drift.length})*: the target's history and these files disagree, and drizzle will not notice:`,
    );
    for (const d of set.drift.slice(0, MAX_DRIFT_SHOWN)) lines.push(`• *${d.kind}* ${escapeMrkdwn(d.message)}`);
    if (set.drift.length > MAX_DRIFT_SHOWN) lines.push(`• …and ${set.drift.length - MAX_DRIFT_SHOWN} more`);
  }
  lines.push(dryRunLine(set));
  return fitText(lines.join('\n'), LIMITS.sectionText);
}

function dryRunLine(set: ReviewedSet): string {
  const result = set.dryRun;
  if (!result) {
    const why =
      set.drift.length > 0
        ? 'the target has drift, so its history cannot be replayed from these files'
        : 'no precomputed result for this pending set';
    return `:grey_question: *Dry run:* not available (${why}). Run \`npm run review -- --database-url …\` to try it.`;
  }
  // With drift, the replayed history is the repository's files, not exactly what the target ran.
  const caveat = set.drift.length > 0 ? " (history replayed from the repository's files: the target has drift, so treat it as a hint)" : '';
  if (result.ok)
    return `:white_check_mark: *${escapeMrkdwn(describeDryRun(result))}* on embedded PostgreSQL, in one transaction as drizzle runs it${caveat}`;
  // Unavailable is no verdict on the migrations: the embedded server lacks what they need.
  const icon = result.status === 'unavailable' ? ':grey_question:' : ':x:';
  return `${icon} *${escapeMrkdwn(describeDryRun(result))}*${caveat}\n\`\`\`${escapeMrkdwn(result.statement.slice(0, 500))}\`\`\``;
}

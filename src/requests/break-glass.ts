import type { EnvironmentConfig } from '../config.ts';
import { mention } from '../slack/mrkdwn.ts';
import { isFinal, type RequestRecord, viewVersionOf } from './record.ts';

// Break-glass, as a function of the record: who may use it, when an approver's acknowledgement
// falls due and when the channel is reminded of it. The two-person rule is traded for a trail:
// the request is announced where people who did not make it will see it, and it stays unsettled
// (the reconciler keeps it in its due index) until an approver has acknowledged it.

const HOUR_MS = 3_600_000;
/** "Reminds the channel each day until someone does" (issue 20). */
const REMIND_EVERY_MS = 24 * HOUR_MS;

/** Why `user` may not break glass on `envName` now, read from the config; undefined when they may. */
export function breakGlassRefusal(envName: string, env: EnvironmentConfig, user: string): string | undefined {
  if (!env.breakGlass)
    return `Break-glass is off for ${envName}: deploybot.config.json has no environments.${envName}.breakGlass. Use \`/daadaar migrate ${envName}\` and a second engineer's approval.`;
  if (!env.breakGlass.users.includes(user))
    return `Only ${env.breakGlass.users.map(mention).join(', ')} may break glass on ${envName}. Use \`/daadaar migrate ${envName}\` and a second engineer's approval.`;
  return undefined;
}

/** Who acknowledges a break-glass run: the environment's approvers but the one who broke the glass. */
export function acknowledgers(record: Pick<RequestRecord, 'requestedBy'>, approvers: readonly string[]): string[] {
  return approvers.filter((a) => a !== record.requestedBy);
}

/**
 * When an approver's acknowledgement is due; undefined when none is owed. It is owed "afterwards"
 * (issue 20): once a build of the request ran and ended. A confirmed request whose start failed
 * and that was then cancelled, rejected or let expire ran nothing, and owes nothing.
 */
export function acknowledgementDue(record: Pick<RequestRecord, 'breakGlass' | 'state' | 'build'>): number | undefined {
  const glass = record.breakGlass;
  if (glass?.confirmedAt === undefined || glass.acknowledgedAt !== undefined) return undefined;
  if (!isFinal(record.state) || record.build === undefined) return undefined;
  return glass.confirmedAt + glass.acknowledgeWithinHours * HOUR_MS;
}

/** Whether the announcement in the security channel shows an older version of the request than the record. */
export function announcementStale(record: RequestRecord): boolean {
  return (
    record.breakGlass !== undefined &&
    record.thread.securityTs !== undefined &&
    (record.thread.securityShownVersion ?? 0) < viewVersionOf(record)
  );
}

/**
 * When the channel is reminded next: at the due time, then at the same time of each following
 * day, the first such time after the last reminder. Anchored to the due time, not to when the
 * last reminder went out, so the reconciler's lag does not push every reminder later, and a
 * reconciler that was down for days posts one reminder, not one per missed day.
 */
export function nextReminderAt(record: RequestRecord): number | undefined {
  const due = acknowledgementDue(record);
  if (due === undefined) return undefined;
  const last = record.breakGlass?.remindedAt;
  if (last === undefined || last < due) return due;
  return due + (Math.floor((last - due) / REMIND_EVERY_MS) + 1) * REMIND_EVERY_MS;
}

/** A posted break-glass request whose security-channel announcement is not recorded. */
export function needsAnnouncement(record: RequestRecord): boolean {
  return record.breakGlass !== undefined && record.messageTs !== undefined && !record.thread.securityTs;
}

import type { ModalView } from '@slack/types';
import type { SnapshotTarget } from '../../build-env.ts';
import { channelRefusal, seedRefusal, snapshotDecision } from '../../config.ts';
import { BUDGET, withDeadline } from '../../deadline.ts';
import { requestMessage } from '../../request-message/frame.ts';
import { approvalNeed } from '../../requests/approval-rule.ts';
import { breakGlassRefusal } from '../../requests/break-glass.ts';
import { posted, withdraw } from '../../requests/decisions.ts';
import { promotionLine } from '../../requests/promotion.ts';
import type { EnvironmentLock, RequestRecord } from '../../requests/record.ts';
import { transition } from '../../requests/transition.ts';
import { escapeMrkdwn, mention, slackDate } from '../../slack/mrkdwn.ts';
import type { BotContext } from '../bot-context.ts';
import { announceBreakGlass } from '../break-glass.ts';
import { directMessage, slackCall, slackError, tell, threadReply } from '../notify.ts';
import { checkPromotion } from '../promotion-check.ts';
import { pinImage, pinPlan } from '../request-plan.ts';
import { confirmationReasons, errorModal, pendingKey, type RequestModalState, requestModal } from '../views/request-modal.ts';
import { fullSqlFile, reviewBody, safeRewriteReplies } from '../views/review-message.ts';
import type { DeferredJob } from './deferred.ts';

type OpenForm = Extract<DeferredJob, { type: 'open-form' }>;
type Submit = Extract<DeferredJob, { type: 'submit' }>;

export function lockText(lock: EnvironmentLock): string {
  return `${mention(lock.holder)}'s ${lock.kind} request for \`${escapeMrkdwn(lock.env)}\` is open until ${slackDate(lock.expiresAt)}. One request per environment at a time: it must be approved, rejected, cancelled or expire first.`;
}

async function openLock(ctx: BotContext, env: string): Promise<EnvironmentLock | undefined> {
  const lock = await withDeadline(ctx.store.readLock(env), BUDGET.dynamo, 'The request store');
  return lock && lock.expiresAt > ctx.now() ? lock : undefined;
}

/** `/daadaar migrate|seed <env>`: the listener opened the modal (loading); here it is filled in. */
export async function openRequestForm(ctx: BotContext, job: OpenForm): Promise<void> {
  const env = ctx.config.environments[job.env];
  const { viewId } = job;
  if (!env) return tell(ctx, job.to, `Unknown environment \`${escapeMrkdwn(job.env)}\`.`);
  const show = async (view: ModalView, instead: string) => {
    try {
      await slackCall(ctx.slack.views.update({ view_id: viewId, view }), 'views.update');
    } catch (error) {
      ctx.log.warn('form could not be updated', { error: slackError(error) });
      await tell(
        ctx,
        job.to,
        `:x: The ${job.kind} form could not be shown (${escapeMrkdwn(slackError(error))}). ${instead} Close the form and run \`/daadaar ${job.kind} ${escapeMrkdwn(job.env)}\` again.`,
      );
    }
  };
  // Asked again from the config, not taken from the job (the listener asked first; submit asks again).
  const where = channelRefusal(job.env, env, job.to.channel) ?? (job.breakGlass ? breakGlassRefusal(job.env, env, job.to.user) : undefined);
  if (where) return show(errorModal(job.kind, job.env, `${where} Nothing was requested.`), `${where} Nothing was requested.`);
  let lock: EnvironmentLock | undefined;
  try {
    lock = await openLock(ctx, job.env);
  } catch (error) {
    const why = `The request store could not be read: ${escapeMrkdwn((error as Error).message)}.`;
    return show(errorModal(job.kind, job.env, why), why);
  }
  if (lock) return show(errorModal(job.kind, job.env, lockText(lock)), lockText(lock));
  const reviewed = await ctx.catalog.reviewedFor(env, job.kind);
  if (!reviewed.ok) {
    const why = `The shipped migrations could not be read: ${escapeMrkdwn(reviewed.reason)}`;
    return show(errorModal(job.kind, job.env, why), why);
  }
  const image = await pinImage(ctx, env);
  const pinned = await pinPlan(ctx, env, job.kind, reviewed.set, image);
  // Said at open so nobody fills in a form that submit would refuse; submit asks the store again.
  const promotion = pinned.ok ? await checkPromotion(ctx, env, pinned.plan) : undefined;
  if (promotion && !promotion.ok) {
    const why = `Not yet: ${escapeMrkdwn(promotion.reason)}`;
    return show(errorModal(job.kind, job.env, why), why);
  }
  const state: RequestModalState = {
    kind: job.kind,
    env: job.env,
    channel: job.to.channel,
    migrationSetSha256: reviewed.set.migrationSetSha256,
    pendingKey: pendingKey(reviewed.set),
    confirmBecause: [
      ...(job.breakGlass ? ['break-glass runs without a second approval'] : []),
      ...confirmationReasons(job.kind, reviewed.set),
      ...(image.problem ? ['the image is not pinned to a digest'] : []),
    ],
    planSha256: pinned.ok ? pinned.sha256 : '',
    imageDigest: image.digest ?? undefined,
    imageProblem: image.problem,
    unpinned: pinned.ok ? undefined : pinned.reason,
    ...(promotion?.ok && promotion.from ? { promotion: promotionLine(promotion.from, ctx.now()) } : {}),
    ...(job.breakGlass ? { breakGlass: true as const } : {}),
  };
  await show(requestModal(state, env, reviewed.set), 'Nothing was requested.');
}

/**
 * The submitted form becomes a request: reviewed again (the target may have moved on while the
 * form was open), the environment's lock taken, the record written, then the message posted.
 */
export async function submitRequest(ctx: BotContext, job: Submit): Promise<void> {
  const { form } = job;
  const env = ctx.config.environments[form.env];
  if (!env) return tell(ctx, job.to, `Unknown environment \`${escapeMrkdwn(form.env)}\`. Nothing was requested.`);
  // The form's channel becomes the record's: where the request is shown and decided.
  const where = channelRefusal(form.env, env, form.channel);
  if (where) return tell(ctx, job.to, `:no_entry: ${where} Nothing was requested.`);
  if (form.kind === 'seed') {
    const refusal = seedRefusal(form.env, env);
    if (refusal) return tell(ctx, job.to, `:no_entry: Not seeding ${escapeMrkdwn(form.env)}. ${escapeMrkdwn(refusal)}`);
  }
  // Who may break glass is the config's now, not the form's: the metadata is the client's to edit.
  const glass = form.breakGlass ? env.breakGlass : undefined;
  if (form.breakGlass) {
    const refusal = form.kind !== 'migrate' ? 'Break-glass runs migrations only.' : breakGlassRefusal(form.env, env, job.to.user);
    if (refusal || !glass) return tell(ctx, job.to, `:no_entry: ${refusal ?? ''} Nothing was requested.`);
    if (job.confirmation !== form.env)
      return tell(
        ctx,
        job.to,
        `:no_entry: A break-glass request needs \`${escapeMrkdwn(form.env)}\` typed to confirm it. Nothing was requested.`,
      );
  }
  const reviewed = await ctx.catalog.reviewedFor(env, form.kind);
  const image = reviewed.ok ? await pinImage(ctx, env) : undefined;
  // The form showed the plan with CLEAN=false for a seed; the request pins the one chosen.
  const shown = reviewed.ok && image ? await pinPlan(ctx, env, form.kind, reviewed.set, image) : undefined;
  const pinned =
    reviewed.ok && image && form.kind === 'seed' && job.clean ? await pinPlan(ctx, env, form.kind, reviewed.set, image, true) : shown;
  if (
    !reviewed.ok ||
    !shown?.ok ||
    !pinned?.ok ||
    shown.sha256 !== form.planSha256 ||
    reviewed.set.migrationSetSha256 !== form.migrationSetSha256 ||
    pendingKey(reviewed.set) !== form.pendingKey
  ) {
    return tell(
      ctx,
      job.to,
      `:warning: What would run on \`${escapeMrkdwn(form.env)}\` changed since your form opened (the migrations, or what the target has applied). Nothing was requested: run \`/daadaar ${form.kind} ${escapeMrkdwn(form.env)}\` again to review it.`,
    );
  }
  // From the record store at submit, whatever the form showed: a form kept open past a failed
  // staging retry, or edited metadata, must not carry a refusal away.
  const promotion = await checkPromotion(ctx, env, pinned.plan);
  if (!promotion.ok) return tell(ctx, job.to, `:no_entry: ${escapeMrkdwn(promotion.reason)} Nothing was requested.`);
  const now = ctx.now();
  // A seed has no review findings: its bar is the environment's.
  // Break-glass needs no approval: its requester's confirmation on the posted review starts it.
  const need = glass
    ? { approvalsRequired: 0, rule: undefined }
    : form.kind === 'migrate'
      ? approvalNeed(reviewed.set.review, env)
      : { approvalsRequired: env.approvalsRequired, rule: undefined };
  const record: RequestRecord = {
    id: ctx.newId(),
    kind: form.kind,
    env: form.env,
    requestedBy: job.to.user,
    reason: job.reason,
    channel: form.channel,
    planSha256: pinned.sha256,
    plan: pinned.encoded,
    ...(pinned.image.uri ? { imageUri: pinned.image.uri } : {}),
    pending: reviewed.set.migrations.map((m) => m.tag),
    pendingKnown: reviewed.set.pendingKnown,
    ...(form.kind === 'seed' ? { clean: job.clean } : {}),
    ...snapshotField(form.kind === 'migrate' ? snapshotDecision(env, reviewed.set.digest.counts.destructive > 0) : undefined),
    confirmed: job.confirmation === form.env,
    approvalsRequired: need.approvalsRequired,
    ...(need.rule ? { approvalRule: need.rule } : {}),
    ...(promotion.from ? { promotedFrom: promotion.from } : {}),
    ...(glass ? { breakGlass: { securityChannel: glass.securityChannel, acknowledgeWithinHours: glass.acknowledgeWithinHours } } : {}),
    approvals: [],
    state: 'open',
    thread: {},
    createdAt: now,
    expiresAt: now + env.requestTtlMinutes * 60_000,
    updatedAt: now,
    version: 1,
    viewVersion: 1,
    events: [{ at: now, by: job.to.user, what: glass ? 'requested break-glass' : 'requested', detail: job.reason }],
  };
  const log = { requestId: record.id, env: record.env };
  try {
    const locked = await withDeadline(
      ctx.store.acquireLock(
        { env: record.env, requestId: record.id, holder: record.requestedBy, kind: record.kind, expiresAt: record.expiresAt, takenAt: now },
        now,
      ),
      BUDGET.dynamo,
      'The request store',
    );
    if (!locked.ok) return tell(ctx, job.to, `:no_entry: ${lockText(locked.holder)} Nothing was requested.`);
  } catch (error) {
    return tell(
      ctx,
      job.to,
      `:x: The request store could not be reached (${escapeMrkdwn((error as Error).message)}). Nothing was requested.`,
    );
  }
  const body = reviewBody({ record, envConfig: env, set: reviewed.set, image: pinned.image });
  try {
    await withDeadline(ctx.store.create(record, JSON.stringify(body)), BUDGET.dynamo, 'The request store');
  } catch (error) {
    await ctx.store.releaseLock(record.env, record.id).catch(() => {});
    return tell(ctx, job.to, `:x: The request could not be stored (${escapeMrkdwn((error as Error).message)}). Nothing was requested.`);
  }
  const message = requestMessage(record, body, env, ctx.actionKey, now);
  let ts: string | undefined;
  try {
    ts = (await slackCall(ctx.slack.chat.postMessage({ channel: record.channel, ...message, unfurl_links: false }), 'chat.postMessage')).ts;
  } catch (error) {
    ctx.log.error('review could not be posted', { ...log, error: slackError(error) });
    const why = `the review could not be posted in <#${record.channel}> (${escapeMrkdwn(slackError(error))})`;
    await transition(ctx.store, record.id, (r) => withdraw(r, why, ctx.now())).catch(() => undefined);
    await ctx.store.releaseLock(record.env, record.id).catch(() => {});
    return directMessage(
      ctx,
      record.requestedBy,
      `:x: ${mention(record.requestedBy)}, your ${record.kind} request for ${escapeMrkdwn(record.env)}: ${why}. Invite the bot there (\`/invite @deploybot\`) and run the command again. Nothing will run.`,
    );
  }
  if (!ts) return;
  const done = await transition(ctx.store, record.id, (r) => posted(r, ts, ctx.now()));
  ctx.log.info('review posted', { ...log, ts });
  const current = done.ok ? done.record : { ...record, messageTs: ts };
  if (current.breakGlass)
    // A failure here is the reconciler's to repeat: the record says the announcement is missing.
    await announceBreakGlass(ctx, current).catch((error: unknown) =>
      ctx.log.warn('break-glass not announced yet', { ...log, error: slackError(error) }),
    );
  if (record.kind === 'migrate' && reviewed.set.migrations.length > 0) {
    const file = fullSqlFile(reviewed.set, record);
    try {
      await slackCall(
        ctx.slack.files.uploadV2({
          channel_id: record.channel,
          thread_ts: ts,
          filename: file.filename,
          title: file.filename,
          content: file.content,
          initial_comment: `The full SQL of the ${reviewed.set.migrations.length} pending migration${reviewed.set.migrations.length === 1 ? '' : 's'}, as drizzle will apply ${reviewed.set.migrations.length === 1 ? 'it' : 'them'}.`,
        }),
        'files.uploadV2',
      );
    } catch (error) {
      ctx.log.warn('SQL file upload failed', { ...log, error: slackError(error) });
      await threadReply(
        ctx,
        current,
        `:warning: The full SQL could not be attached (${escapeMrkdwn(slackError(error))}); \`npm run review\` shows it.`,
      );
    }
    for (const text of safeRewriteReplies(reviewed.set)) await threadReply(ctx, current, text);
  }
}

/** Written only when there is a snapshot to take: a record without the field means none. */
function snapshotField(target: SnapshotTarget | undefined): { snapshot?: SnapshotTarget } {
  return target ? { snapshot: target } : {};
}

import { createHash } from 'node:crypto';
import type { KnownBlock, ModalView } from '@slack/types';
import type { EnvironmentConfig } from '../../config.ts';
import { targetConfirmationReasons } from '../../history/target-review.ts';
import { redact } from '../../redact.ts';
import { describeCounts } from '../../render/review-text.ts';
import type { RequestKind } from '../../requests/record.ts';
import { fitText } from '../../slack/fit.ts';
import { LIMITS } from '../../slack/limits.ts';
import { escapeMrkdwn, mention } from '../../slack/mrkdwn.ts';
import type { ReviewedSet } from '../migration-catalog.ts';
import { targetSummary } from './target-summary.ts';

export const REQUEST_MODAL = 'deploybot_request';
export const REASON_MAX = 500;

/** Travels in the modal's private_metadata (3,000 characters at most). */
export interface RequestModalState {
  kind: RequestKind;
  env: string;
  channel: string;
  /** sha256 of the shipped migration files the form was filled from: a staleness check, never shown. */
  migrationSetSha256: string;
  /** Which migrations the form showed as pending (see pendingKey). */
  pendingKey: string;
  /** Why a typed confirmation is required, when it is (migrations). */
  confirmBecause: string[];
  /** sha256 of the plan the form showed (for a seed: with CLEAN=false); empty when none could be pinned. */
  planSha256: string;
  /** `sha256:…` of the image, when it resolved. */
  imageDigest?: string;
  imageProblem?: string;
  /** Why no plan could be pinned: then nothing can be requested. */
  unpinned?: string;
  /** Shown only ("ran in staging 2 h ago: …"); submit decides from the request store again. */
  promotion?: string;
  /** `/daadaar breakglass`: runs on the requester's own confirmation; submit asks the config again. */
  breakGlass?: true;
}

/** A break-glass reason is read by security and by the approver who acknowledges it: more than a word. */
const BREAK_GLASS_REASON_MIN = 20;

/** The plan line every review shows: the hash the approvers approve, and the image it runs. */
export function planLine(planSha256: string, image: { digest?: string | null; problem?: string }, unpinned?: string): string {
  if (unpinned) return `:no_entry: *No plan can be pinned:* ${escapeMrkdwn(unpinned)}. Nothing can be requested until it can.`;
  const img = image.digest ? `image \`${image.digest}\`` : `:warning: image not pinned: ${escapeMrkdwn(image.problem ?? 'unknown')}`;
  return `*Plan* sha256 \`${planSha256}\` · ${img}`;
}

/**
 * Identifies the pending set a form showed: if the target moved on meanwhile, the form is stale.
 * A digest of the tags, not the tags: with the pending set unknown the whole history is listed,
 * and private_metadata holds 3,000 characters at most.
 */
export function pendingKey(set: ReviewedSet): string {
  const tags = createHash('sha256')
    .update(set.migrations.map((m) => m.tag).join('\n'))
    .digest('hex')
    .slice(0, 32);
  return `${set.pendingKnown ? 'known' : 'unknown'}:${set.migrations.length}:${tags}`;
}

const title = (kind: RequestKind, env: string, breakGlass?: boolean) =>
  fitText(`${breakGlass ? 'Break-glass' : kind === 'migrate' ? 'Migrate' : 'Seed'} ${env}`, LIMITS.viewTitle);

/** Opened at once, inside the trigger's 3-second life; filled in with views.update. */
export function loadingModal(kind: RequestKind, env: string, breakGlass = false): ModalView {
  return {
    type: 'modal',
    callback_id: 'deploybot_loading',
    title: { type: 'plain_text', text: title(kind, env, breakGlass) },
    close: { type: 'plain_text', text: 'Cancel' },
    blocks: [
      {
        type: 'section',
        text: {
          type: 'mrkdwn',
          text: fitText(`:hourglass_flowing_sand: Reviewing the migrations for *${escapeMrkdwn(env)}*…`, LIMITS.sectionText),
        },
      },
    ],
  };
}

/** `message` is mrkdwn: callers escape what a person or a database supplied. */
export function errorModal(kind: RequestKind, env: string, message: string): ModalView {
  return {
    type: 'modal',
    callback_id: 'deploybot_error',
    title: { type: 'plain_text', text: title(kind, env) },
    close: { type: 'plain_text', text: 'Close' },
    blocks: [
      {
        type: 'section',
        text: { type: 'mrkdwn', text: `:x: ${fitText(redact(message), LIMITS.sectionText - 40)}\nNothing was requested.` },
      },
    ],
  };
}

export function confirmationReasons(kind: RequestKind, set: ReviewedSet): string[] {
  if (kind !== 'migrate') return [];
  const reasons: string[] = [];
  const { counts } = set.digest;
  if (counts.destructive > 0) reasons.push(`${counts.destructive} destructive finding${counts.destructive === 1 ? '' : 's'}`);
  if (counts.security > 0) reasons.push(`${counts.security} security finding${counts.security === 1 ? '' : 's'}`);
  if (counts.unreviewable > 0) reasons.push(`${counts.unreviewable} unreviewable statement${counts.unreviewable === 1 ? '' : 's'}`);
  return [...reasons, ...targetConfirmationReasons(set)];
}

export function requestModal(state: RequestModalState, envConfig: EnvironmentConfig, set: ReviewedSet): ModalView {
  const env = escapeMrkdwn(state.env);
  const glass = state.breakGlass ? envConfig.breakGlass : undefined;
  const approval = glass
    ? `:rotating_light: *Break-glass:* no second approval. It is posted in the channel and announced in <#${glass.securityChannel}>; it runs when you click *Run now* on the posted review, and one of ${envConfig.approvers.map(mention).join(', ')} must acknowledge it within ${glass.acknowledgeWithinHours} h after.`
    : `*Approval:* ${envConfig.approvalsRequired} of ${envConfig.approvers.map(mention).join(', ')}, never you`;
  const blocks: KnownBlock[] = [
    {
      type: 'section',
      text: {
        type: 'mrkdwn',
        text: fitText(
          `*Environment:* \`${env}\` · CodeBuild \`${escapeMrkdwn(envConfig.codebuildProject)}\` (${envConfig.region})\n${approval} · expires ${envConfig.requestTtlMinutes} min after posting${state.promotion ? `\n*Required first:* ${state.promotion}` : ''}`,
          LIMITS.sectionText,
        ),
      },
    },
  ];
  blocks.push({
    type: 'section',
    text: {
      type: 'mrkdwn',
      text: fitText(
        planLine(state.planSha256, { digest: state.imageDigest, problem: state.imageProblem }, state.unpinned),
        LIMITS.sectionText,
      ),
    },
  });
  if (state.kind === 'migrate') {
    blocks.push({
      type: 'section',
      text: {
        type: 'mrkdwn',
        text: `*Review:* ${set.migrations.length} migrations, ${set.digest.statements} statements: *${describeCounts(set.digest.counts)}*`,
      },
    });
    blocks.push({ type: 'section', text: { type: 'mrkdwn', text: targetSummary(set, state.env) } });
    blocks.push({ type: 'section', text: { type: 'mrkdwn', text: fitText(migrationList(set), LIMITS.sectionText) } });
  } else {
    blocks.push(
      {
        type: 'section',
        text: {
          type: 'mrkdwn',
          text: `Runs the organizations seed (\`database/seed.ts\`) against *${env}*: inserts the seed organizations, their roles and hierarchy, skipping rows that exist.`,
        },
      },
      {
        type: 'input',
        block_id: 'clean',
        optional: true,
        label: { type: 'plain_text', text: 'Clean first' },
        element: {
          type: 'checkboxes',
          action_id: 'value',
          options: [
            {
              text: { type: 'mrkdwn', text: '*CLEAN=true*: delete every organization first' },
              // Slack allows an option description 75 characters; the typed confirmation is the confirm field's hint.
              description: { type: 'plain_text', text: 'Destructive: cascades to hierarchy, roles, occupancy and report links.' },
              value: 'clean',
            },
          ],
        },
      },
    );
  }
  blocks.push({
    type: 'input',
    block_id: 'reason',
    label: { type: 'plain_text', text: state.breakGlass ? 'Why this cannot wait for a second engineer' : 'Reason' },
    hint: {
      type: 'plain_text',
      text: state.breakGlass
        ? 'Shown in the channel, to security and to the approver who acknowledges it.'
        : 'Shown to the approver in the channel.',
    },
    element: {
      type: 'plain_text_input',
      action_id: 'value',
      multiline: true,
      max_length: REASON_MAX,
      placeholder: { type: 'plain_text', text: 'What this ships and why now' },
    },
  });
  const mustConfirm = state.confirmBecause.length > 0;
  if (mustConfirm || state.kind === 'seed') {
    blocks.push({
      type: 'input',
      block_id: 'confirm',
      optional: !mustConfirm,
      label: { type: 'plain_text', text: fitText(`Type ${state.env} to confirm`, LIMITS.inputLabel) },
      hint: {
        type: 'plain_text',
        text: mustConfirm ? fitText(`Required: ${state.confirmBecause.join('; ')}.`, LIMITS.inputHint) : 'Required only with CLEAN=true.',
      },
      element: { type: 'plain_text_input', action_id: 'value', max_length: 64 },
    });
  }
  return {
    type: 'modal',
    callback_id: REQUEST_MODAL,
    private_metadata: JSON.stringify(state),
    title: { type: 'plain_text', text: title(state.kind, state.env, state.breakGlass) },
    submit: { type: 'plain_text', text: state.breakGlass ? 'Post break-glass' : 'Request approval' },
    close: { type: 'plain_text', text: 'Cancel' },
    blocks,
  };
}

function migrationList(set: ReviewedSet): string {
  // Slack refuses an empty text object, and with nothing pending the list is empty.
  if (set.digest.migrations.length === 0) return '_No migrations to run._';
  return set.digest.migrations
    .map((m) => `• \`${escapeMrkdwn(m.tag)}\`: ${m.statements} statements, ${describeCounts(m.counts)}`)
    .join('\n');
}

export interface RequestSubmission {
  reason: string;
  confirmation: string;
  clean: boolean;
}

type StateValues = Record<string, Record<string, { value?: string | null; selected_options?: { value: string }[] }>>;

export function readSubmission(values: StateValues): RequestSubmission {
  return {
    reason: (values.reason?.value?.value ?? '').trim(),
    confirmation: (values.confirm?.value?.value ?? '').trim(),
    clean: (values.clean?.value?.selected_options ?? []).some((o) => o.value === 'clean'),
  };
}

/** Field errors for `response_action: errors`, or none. */
export function validateSubmission(submission: RequestSubmission, state: RequestModalState): Record<string, string> {
  const errors: Record<string, string> = {};
  if (state.unpinned) {
    errors.reason = `Nothing can be requested: ${state.unpinned}.`.slice(0, 300);
    return errors;
  }
  if (submission.reason.length === 0) errors.reason = 'Say what this ships and why: the approver reads it.';
  else if (state.breakGlass && submission.reason.length < BREAK_GLASS_REASON_MIN)
    errors.reason = `Say why this cannot wait for a second engineer, in at least ${BREAK_GLASS_REASON_MIN} characters: security and the approvers read it.`;
  const mustConfirm = state.confirmBecause.length > 0 || (state.kind === 'seed' && submission.clean);
  if (mustConfirm && submission.confirmation !== state.env) {
    errors.confirm = `Type ${state.env} exactly to confirm${state.kind === 'seed' && submission.clean ? ' CLEAN=true' : ''}.`;
  }
  return errors;
}

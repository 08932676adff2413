import type { ModalView } from '@slack/types';
import { fitText } from '../../slack/fit.ts';
import { LIMITS } from '../../slack/limits.ts';

export const REJECT_MODAL = 'deploybot_reject';

/** private_metadata names the request only: whether it can still be rejected is read from the record. */
export interface RejectForm {
  requestId: string;
  channel: string;
}

export function rejectModal(meta: RejectForm): ModalView {
  return {
    type: 'modal',
    callback_id: REJECT_MODAL,
    // The signed button value (at most 2,000 characters) and two ids: well under the 3,000 allowed.
    private_metadata: JSON.stringify(meta),
    title: { type: 'plain_text', text: 'Reject request' },
    submit: { type: 'plain_text', text: 'Reject' },
    close: { type: 'plain_text', text: 'Back' },
    blocks: [
      {
        type: 'input',
        block_id: 'reason',
        label: { type: 'plain_text', text: 'Why?' },
        element: { type: 'plain_text_input', action_id: 'value', multiline: true, max_length: 500 },
      },
    ],
  };
}

/** Opened by the click's listener while its trigger id is fresh; the job replaces it. */
export function rejectLoadingModal(): ModalView {
  return {
    type: 'modal',
    callback_id: 'deploybot_reject_loading',
    title: { type: 'plain_text', text: 'Reject request' },
    close: { type: 'plain_text', text: 'Back' },
    blocks: [{ type: 'section', text: { type: 'mrkdwn', text: ':hourglass_flowing_sand: Reading the request…' } }],
  };
}

/** `reason` is mrkdwn the caller escaped: why this request cannot be rejected (from its record). */
export function rejectRefusedModal(reason: string): ModalView {
  return {
    type: 'modal',
    callback_id: 'deploybot_reject_refused',
    title: { type: 'plain_text', text: 'Reject request' },
    close: { type: 'plain_text', text: 'Close' },
    blocks: [{ type: 'section', text: { type: 'mrkdwn', text: fitText(`:no_entry: ${reason} Nothing changed.`, LIMITS.sectionText) } }],
  };
}

import type { App } from '@slack/bolt';
import type { BotContext } from '../bot-context.ts';
import { REQUEST_MODAL, type RequestModalState, readSubmission, validateSubmission } from '../views/request-modal.ts';
import { handOver } from './hand-over.ts';

export function registerRequestSubmission(app: App, ctx: BotContext): void {
  app.view(REQUEST_MODAL, async ({ ack, body, view }) => {
    let form: RequestModalState;
    try {
      form = JSON.parse(view.private_metadata) as RequestModalState;
    } catch {
      return ack({ response_action: 'errors', errors: { reason: 'This form is damaged; close it and run the command again.' } });
    }
    const submission = readSubmission(view.state.values as Parameters<typeof readSubmission>[0]);
    // Field errors come back in the acknowledgement: the form stays open with them.
    const errors = validateSubmission(submission, form);
    if (Object.keys(errors).length > 0) return ack({ response_action: 'errors', errors });
    await ack();
    await handOver(ctx, {
      type: 'submit',
      form,
      reason: submission.reason,
      confirmation: submission.confirmation,
      clean: submission.clean,
      to: { user: body.user.id, channel: form.channel },
    });
  });
}

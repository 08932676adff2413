// Slack's documented limits on what a message or a modal may carry, and a check of a payload
// against them. Slack refuses a payload that breaks one (invalid_blocks for messages,
// invalid_arguments for views), so a builder that lets hostile input through fails the whole
// request, not just one line of it.
//
// Sources, as documented on Slack's reference pages and in @slack/types (which carries the same
// text), read 2026-11:
//   blocks   https://docs.slack.dev/reference/block-kit/blocks (section, header, context, actions, input)
//   elements https://docs.slack.dev/reference/block-kit/block-elements (button, checkboxes, plain_text_input)
//   objects  https://docs.slack.dev/reference/block-kit/composition-objects (text, option, confirmation dialog)
//   views    https://docs.slack.dev/reference/views/modal-views
//   messages https://docs.slack.dev/reference/methods/chat.postMessage and
//            https://api.slack.com/changelog/2018-04-truncating-really-long-messages
// Lengths are counted in UTF-16 code units, which is never less than Slack's character count.

export const LIMITS = {
  /** chat.postMessage `text`: longer is truncated, and Slack answers msg_too_long past it. */
  messageText: 40_000,
  /** chat.postMessage `blocks`: "up to 50 blocks". */
  messageBlocks: 50,
  /** Modal `blocks`: "Max of 100 blocks". */
  viewBlocks: 100,
  /** Any text object: "minimum length is 1 and maximum length is 3000". */
  text: 3000,
  /** Section `text`. */
  sectionText: 3000,
  /** Section `fields`: "Maximum number of items is 10", each text at most 2000. */
  sectionFields: 10,
  sectionFieldText: 2000,
  /** Header `text` (plain_text). */
  headerText: 150,
  /** Context `elements`. */
  contextElements: 10,
  /** Actions `elements`. */
  actionsElements: 25,
  /** `block_id` and `action_id`. */
  blockId: 255,
  actionId: 255,
  /** Button `text` (plain_text), `value`, `url`. */
  buttonText: 75,
  buttonValue: 2000,
  buttonUrl: 3000,
  /** Option `text` and `description`; `value` is 75 in @slack/types and 150 on the page: the smaller is kept. */
  optionText: 75,
  optionDescription: 75,
  optionValue: 75,
  /** Checkboxes and radio buttons: "Maximum number of items is 10". */
  checkboxOptions: 10,
  /** Confirmation dialog: title 100, text 300, confirm and deny 30. */
  confirmTitle: 100,
  confirmText: 300,
  confirmButton: 30,
  /** Input block `label` and `hint`. */
  inputLabel: 2000,
  inputHint: 2000,
  /** `placeholder` of any element. */
  placeholder: 150,
  /** plain_text_input `initial_value`, `min_length` and `max_length`. */
  inputValue: 3000,
  /** Modal `title`, `submit`, `close` (plain_text). */
  viewTitle: 24,
  viewButton: 24,
  /** Modal `private_metadata` and `callback_id`. */
  privateMetadata: 3000,
  callbackId: 255,
} as const;

export interface LimitViolation {
  /** A JSON pointer into the payload, as Slack names it in response_metadata.messages. */
  path: string;
  limit: number;
  actual: number;
  /** `max` for a length or count over the limit, `min` for an empty text. */
  kind: 'max' | 'min';
}

export type SlackLimitError = 'invalid_blocks' | 'invalid_arguments' | 'msg_too_long';

export interface LimitCheck {
  violations: LimitViolation[];
  /** What Slack answers for this payload, when it refuses it. */
  error?: SlackLimitError;
}

type Json = Record<string, unknown>;

class Checker {
  readonly violations: LimitViolation[] = [];

  max(path: string, value: unknown, limit: number): void {
    const actual = typeof value === 'string' || Array.isArray(value) ? value.length : typeof value === 'number' ? value : 0;
    if (actual > limit) this.violations.push({ path, limit, actual, kind: 'max' });
  }

  /** A text object: present text, 1 to `limit` characters. */
  text(path: string, object: unknown, limit: number = LIMITS.text): void {
    if (!isObject(object)) return;
    const text = typeof object.text === 'string' ? object.text : '';
    if (text.length === 0) this.violations.push({ path: `${path}/text`, limit: 1, actual: 0, kind: 'min' });
    this.max(`${path}/text`, text, Math.min(limit, LIMITS.text));
  }

  blocks(path: string, blocks: unknown, limit: number): void {
    if (!Array.isArray(blocks)) return;
    this.max(path, blocks, limit);
    blocks.forEach((block, i) => {
      if (isObject(block)) this.block(`${path}/${i}`, block);
    });
  }

  block(path: string, block: Json): void {
    this.max(`${path}/block_id`, block.block_id, LIMITS.blockId);
    switch (block.type) {
      case 'section':
        if (block.text !== undefined) this.text(`${path}/text`, block.text, LIMITS.sectionText);
        if (Array.isArray(block.fields)) {
          this.max(`${path}/fields`, block.fields, LIMITS.sectionFields);
          block.fields.forEach((f, i) => {
            this.text(`${path}/fields/${i}`, f, LIMITS.sectionFieldText);
          });
        }
        if (isObject(block.accessory)) this.element(`${path}/accessory`, block.accessory);
        break;
      case 'header':
        this.text(`${path}/text`, block.text, LIMITS.headerText);
        break;
      case 'context':
        if (Array.isArray(block.elements)) {
          this.max(`${path}/elements`, block.elements, LIMITS.contextElements);
          block.elements.forEach((e, i) => {
            if (isObject(e) && e.type !== 'image') this.text(`${path}/elements/${i}`, e);
          });
        }
        break;
      case 'actions':
        if (Array.isArray(block.elements)) {
          this.max(`${path}/elements`, block.elements, LIMITS.actionsElements);
          block.elements.forEach((e, i) => {
            if (isObject(e)) this.element(`${path}/elements/${i}`, e);
          });
        }
        break;
      case 'input':
        this.text(`${path}/label`, block.label, LIMITS.inputLabel);
        if (block.hint !== undefined) this.text(`${path}/hint`, block.hint, LIMITS.inputHint);
        if (isObject(block.element)) this.element(`${path}/element`, block.element);
        break;
    }
  }

  element(path: string, element: Json): void {
    this.max(`${path}/action_id`, element.action_id, LIMITS.actionId);
    if (element.placeholder !== undefined) this.text(`${path}/placeholder`, element.placeholder, LIMITS.placeholder);
    if (isObject(element.confirm)) this.confirm(`${path}/confirm`, element.confirm);
    switch (element.type) {
      case 'button':
        this.text(`${path}/text`, element.text, LIMITS.buttonText);
        this.max(`${path}/value`, element.value, LIMITS.buttonValue);
        this.max(`${path}/url`, element.url, LIMITS.buttonUrl);
        break;
      case 'checkboxes':
      case 'radio_buttons':
        this.max(`${path}/options`, element.options, LIMITS.checkboxOptions);
        this.options(`${path}/options`, element.options);
        break;
      case 'static_select':
      case 'multi_static_select':
      case 'overflow':
        this.options(`${path}/options`, element.options);
        break;
      case 'plain_text_input':
        this.max(`${path}/initial_value`, element.initial_value, LIMITS.inputValue);
        this.max(`${path}/max_length`, element.max_length, LIMITS.inputValue);
        this.max(`${path}/min_length`, element.min_length, LIMITS.inputValue);
        break;
    }
  }

  options(path: string, options: unknown): void {
    if (!Array.isArray(options)) return;
    options.forEach((o, i) => {
      if (!isObject(o)) return;
      this.text(`${path}/${i}/text`, o.text, LIMITS.optionText);
      if (o.description !== undefined) this.text(`${path}/${i}/description`, o.description, LIMITS.optionDescription);
      this.max(`${path}/${i}/value`, o.value, LIMITS.optionValue);
    });
  }

  confirm(path: string, confirm: Json): void {
    this.text(`${path}/title`, confirm.title, LIMITS.confirmTitle);
    this.text(`${path}/text`, confirm.text, LIMITS.confirmText);
    this.text(`${path}/confirm`, confirm.confirm, LIMITS.confirmButton);
    this.text(`${path}/deny`, confirm.deny, LIMITS.confirmButton);
  }
}

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A chat.postMessage / chat.update / chat.postEphemeral payload. */
export function checkMessage(args: { text?: unknown; blocks?: unknown }): LimitCheck {
  const c = new Checker();
  c.blocks('/blocks', args.blocks, LIMITS.messageBlocks);
  if (c.violations.length > 0) return { violations: c.violations, error: 'invalid_blocks' };
  c.max('/text', args.text, LIMITS.messageText);
  return c.violations.length > 0 ? { violations: c.violations, error: 'msg_too_long' } : { violations: [] };
}

/** A modal for views.open / views.update / views.push. */
export function checkView(view: unknown): LimitCheck {
  const c = new Checker();
  if (!isObject(view)) return { violations: [] };
  c.text('/view/title', view.title, LIMITS.viewTitle);
  if (view.submit !== undefined) c.text('/view/submit', view.submit, LIMITS.viewButton);
  if (view.close !== undefined) c.text('/view/close', view.close, LIMITS.viewButton);
  c.max('/view/private_metadata', view.private_metadata, LIMITS.privateMetadata);
  c.max('/view/callback_id', view.callback_id, LIMITS.callbackId);
  c.blocks('/view/blocks', view.blocks, LIMITS.viewBlocks);
  return c.violations.length > 0 ? { violations: c.violations, error: 'invalid_arguments' } : { violations: [] };
}

const MESSAGE_METHODS = new Set(['chat.postMessage', 'chat.update', 'chat.postEphemeral']);
const VIEW_METHODS = new Set(['views.open', 'views.update', 'views.push']);

/**
 * Slack's answer to a Web API call that breaks a limit, or undefined when it fits: the error
 * and response_metadata.messages in the form Slack writes them
 * (`[ERROR] must be less than 3001 characters [json-pointer:/blocks/0/text/text]`).
 */
export function refusal(
  method: string,
  args: Record<string, unknown>,
): { ok: false; error: SlackLimitError; response_metadata: { messages: string[] } } | undefined {
  const check = MESSAGE_METHODS.has(method) ? checkMessage(args) : VIEW_METHODS.has(method) ? checkView(args.view) : undefined;
  if (!check?.error) return undefined;
  const messages = check.violations.map((v) =>
    v.kind === 'min'
      ? `[ERROR] must be more than 0 characters [json-pointer:${v.path}]`
      : `[ERROR] must be less than ${v.limit + 1} ${v.path.endsWith('blocks') || /\/(fields|elements|options)$/.test(v.path) ? 'items' : 'characters'} [json-pointer:${v.path}]`,
  );
  return { ok: false, error: check.error, response_metadata: { messages } };
}

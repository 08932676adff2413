import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fitText, tailCodeBlock } from '../../src/slack/fit.ts';
import { checkMessage, checkView, LIMITS, refusal } from '../../src/slack/limits.ts';
import { codeBlock } from '../../src/slack/mrkdwn.ts';
import { FakeSlackApi } from '../support/fake-slack-api.ts';

const section = (text: string) => ({ type: 'section', text: { type: 'mrkdwn', text } });
const modal = (overrides: Record<string, unknown> = {}) => ({
  type: 'modal',
  title: { type: 'plain_text', text: 'Migrate prod' },
  close: { type: 'plain_text', text: 'Cancel' },
  blocks: [section('ok')],
  ...overrides,
});

describe("Slack's limits", () => {
  it('passes a payload at every limit and names each one it breaks, with its JSON pointer', () => {
    expect(checkMessage({ text: 'x'.repeat(LIMITS.messageText), blocks: [section('x'.repeat(3000))] })).toEqual({ violations: [] });
    const over = checkMessage({
      text: 'fallback',
      blocks: [
        section('x'.repeat(3001)),
        { type: 'header', text: { type: 'plain_text', text: 'h'.repeat(151) } },
        { type: 'section', fields: Array.from({ length: 11 }, () => ({ type: 'mrkdwn', text: 'f' })) },
        { type: 'context', elements: [{ type: 'mrkdwn', text: '' }] },
        {
          type: 'actions',
          block_id: 'b'.repeat(256),
          elements: [{ type: 'button', action_id: 'a', text: { type: 'plain_text', text: 'Approve' }, value: 'v'.repeat(2001) }],
        },
      ],
    });
    expect(over.error).toBe('invalid_blocks');
    expect(over.violations).toEqual([
      { path: '/blocks/0/text/text', limit: 3000, actual: 3001, kind: 'max' },
      { path: '/blocks/1/text/text', limit: 150, actual: 151, kind: 'max' },
      { path: '/blocks/2/fields', limit: 10, actual: 11, kind: 'max' },
      { path: '/blocks/3/elements/0/text', limit: 1, actual: 0, kind: 'min' },
      { path: '/blocks/4/block_id', limit: 255, actual: 256, kind: 'max' },
      { path: '/blocks/4/elements/0/value', limit: 2000, actual: 2001, kind: 'max' },
    ]);
  });

  it('counts blocks: 50 in a message, 100 in a modal', () => {
    expect(checkMessage({ blocks: Array.from({ length: 51 }, () => section('x')) }).error).toBe('invalid_blocks');
    expect(checkView(modal({ blocks: Array.from({ length: 100 }, () => section('x')) })).violations).toEqual([]);
    expect(checkView(modal({ blocks: Array.from({ length: 101 }, () => section('x')) })).error).toBe('invalid_arguments');
  });

  it('answers msg_too_long for message text past 40,000 characters', () => {
    expect(checkMessage({ text: 'x'.repeat(40_001) }).error).toBe('msg_too_long');
  });

  it('checks a modal: title, buttons, private_metadata, option text and description', () => {
    const view = modal({
      title: { type: 'plain_text', text: 'Migrate production-eu-west' },
      submit: { type: 'plain_text', text: 'Request approval' },
      private_metadata: 'm'.repeat(3001),
      blocks: [
        {
          type: 'input',
          label: { type: 'plain_text', text: 'Clean first' },
          element: {
            type: 'checkboxes',
            action_id: 'value',
            options: [
              { text: { type: 'mrkdwn', text: 'CLEAN' }, description: { type: 'plain_text', text: 'd'.repeat(119) }, value: 'clean' },
            ],
          },
        },
      ],
    });
    const check = checkView(view);
    expect(check.error).toBe('invalid_arguments');
    expect(check.violations.map((v) => v.path)).toEqual([
      '/view/title/text',
      '/view/private_metadata',
      '/view/blocks/0/element/options/0/description/text',
    ]);
  });

  it('the fake Slack API refuses an over-limit payload as Slack does, and records it as refused', async () => {
    const slack = await new FakeSlackApi().start();
    try {
      const post = async (method: string, body: Record<string, unknown>) =>
        (
          await fetch(`${slack.url}${method}`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify(body),
          })
        ).json();
      expect(await post('chat.postMessage', { channel: 'C1', text: 't', blocks: [section('x'.repeat(3001))] })).toEqual({
        ok: false,
        error: 'invalid_blocks',
        response_metadata: { messages: ['[ERROR] must be less than 3001 characters [json-pointer:/blocks/0/text/text]'] },
      });
      expect(
        await post('views.open', { trigger_id: 't', view: modal({ title: { type: 'plain_text', text: 'x'.repeat(25) } }) }),
      ).toMatchObject({
        ok: false,
        error: 'invalid_arguments',
      });
      expect(await post('chat.postMessage', { channel: 'C1', text: 't', blocks: [section('fits')] })).toMatchObject({ ok: true });
      expect(slack.calls.map((c) => c.method)).toEqual(['chat.postMessage']);
      expect(slack.refused.map((c) => c.method)).toEqual(['chat.postMessage', 'views.open']);
      expect(refusal('conversations.history', { blocks: 'anything' })).toBeUndefined();
    } finally {
      await slack.stop();
    }
  });
});

const mrkdwnUnit = fc.constantFrom(
  'a',
  'Z',
  ' ',
  '\n',
  '*',
  '_',
  '~',
  '`',
  '```',
  '&',
  '&amp;',
  '&lt;',
  '<',
  '>',
  '<@U0APPROVER1>',
  '<!channel>',
  '😀',
  'é',
);
const hostile = (maxLength: number) => fc.array(mrkdwnUnit, { maxLength }).map((units) => units.join(''));

describe('fitText', () => {
  it('fits the limit, never opens a fence it does not close, and never ends in half an entity or token', () => {
    fc.assert(
      fc.property(hostile(400), fc.integer({ min: 1, max: 300 }), (raw, limit) => {
        const text = codeBlock(raw).length % 2 ? `intro ${codeBlock(raw)} outro` : raw;
        const out = fitText(text, limit);
        expect(out.length).toBeLessThanOrEqual(limit);
        if (text.length <= limit) {
          expect(out).toBe(text);
          return;
        }
        expect(out.endsWith('…') || out.endsWith('…```') || out === '…').toBe(true);
        if (limit >= 4) expect((out.split('```').length - 1) % 2).toBe(0);
        const amp = out.lastIndexOf('&');
        if (amp >= 0 && /^&(?:amp|lt|gt);/.test(text.slice(amp))) expect(out.slice(amp)).toMatch(/^&(?:amp|lt|gt);/);
        expect(out).not.toMatch(/<[^>]*…/);
      }),
      { numRuns: 2000 },
    );
  });

  it('keeps a code block closed when it cuts inside one', () => {
    const out = fitText(`*Last lines*\n${codeBlock('line\n'.repeat(1000))}`, 100);
    expect(out.length).toBeLessThanOrEqual(100);
    expect(out.endsWith('…```')).toBe(true);
  });
});

describe('tailCodeBlock', () => {
  it('keeps the end of a log, escaped and fenced, within the budget even when escaping grows it fivefold', () => {
    fc.assert(
      fc.property(hostile(3000), fc.integer({ min: 20, max: 3000 }), (log, budget) => {
        const out = tailCodeBlock(`${log}\nERROR: the last line`, budget);
        expect(out.length).toBeLessThanOrEqual(budget);
        expect(out.startsWith('```') && out.endsWith('```')).toBe(true);
        expect((out.split('```').length - 1) % 2).toBe(0);
        if (budget > 200) expect(out).toContain('ERROR: the last line');
      }),
      { numRuns: 300 },
    );
    expect(tailCodeBlock('&'.repeat(200_000), 3000).length).toBeLessThanOrEqual(3000);
  });
});

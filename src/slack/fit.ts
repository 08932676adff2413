import { codeBlock } from './mrkdwn.ts';

// Cutting text to a Slack limit without breaking the mrkdwn around the cut: a cut inside
// `&amp;` shows a stray `&am`, a cut inside `<@U123>` or `<url|label>` shows raw markup, and
// a cut inside a code block leaves the fence open so the rest of the message renders as code
// (https://docs.slack.dev/messaging/formatting-message-text).

const ELLIPSIS = '…';
const FENCE = '```';
/** Longer than any <…> token we write (a console link with its label). */
const MAX_TOKEN = 600;

/** `text` if it fits in `limit` characters, else a prefix of it ending in an ellipsis that does. */
export function fitText(text: string, limit: number): string {
  if (text.length <= limit) return text;
  if (limit <= 0) return '';
  let reserve = ELLIPSIS.length;
  for (;;) {
    const kept = safePrefix(text, Math.max(0, limit - reserve));
    const open = fenceOpen(kept);
    const needed = ELLIPSIS.length + (open ? FENCE.length : 0);
    if (needed <= reserve || limit - needed < 0) {
      const out = `${kept}${ELLIPSIS}${open ? FENCE : ''}`;
      return out.length <= limit ? out : ELLIPSIS.slice(0, limit);
    }
    reserve = needed;
  }
}

/** The longest prefix of at most `max` characters that ends outside an entity, a <…> token, a surrogate pair and a fence. */
function safePrefix(text: string, max: number): string {
  let cut = Math.min(max, text.length);
  for (let moved = true; moved; ) {
    const before = cut;
    const amp = text.lastIndexOf('&', cut - 1);
    if (amp >= 0 && amp > cut - 10 && !text.slice(amp, cut).includes(';') && /^&#?[a-z0-9]+;/i.test(text.slice(amp, amp + 10))) cut = amp;
    const lt = text.lastIndexOf('<', cut - 1);
    if (lt >= 0 && lt > cut - MAX_TOKEN && text.lastIndexOf('>', cut - 1) < lt) cut = lt;
    moved = cut !== before;
  }
  const code = text.charCodeAt(cut - 1);
  if (code >= 0xd800 && code <= 0xdbff) cut -= 1;
  let kept = text.slice(0, cut);
  // A fence cut in two would join the closing one we add into a longer run.
  kept = kept.replace(/`+$/, '');
  return kept;
}

function fenceOpen(text: string): boolean {
  return (text.split(FENCE).length - 1) % 2 === 1;
}

/**
 * A code block of the end of `text` that fits in `limit` characters once escaped and fenced:
 * for a log, the last lines are the ones that say what went wrong. A cut start is marked `…`.
 */
export function tailCodeBlock(text: string, limit: number): string {
  const whole = codeBlock(text);
  if (whole.length <= limit) return whole;
  // Escaping grows text up to fivefold (& → &amp;), so the fitting suffix is searched for.
  let lo = 0;
  let hi = text.length;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (codeBlock(`${ELLIPSIS}${suffix(text, mid)}`).length <= limit) lo = mid;
    else hi = mid - 1;
  }
  return codeBlock(`${ELLIPSIS}${suffix(text, lo)}`);
}

function suffix(text: string, length: number): string {
  const from = text.length - length;
  const code = text.charCodeAt(from);
  return text.slice(code >= 0xdc00 && code <= 0xdfff ? from + 1 : from);
}

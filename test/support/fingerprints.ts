// What a person reads next to each sha256 on a surface: the words just before a 64-hex value,
// back to the previous value, line break or `·`, with the mrkdwn/Markdown marks removed. The
// one-fingerprint tests use it to find every value presented as reviewed, approved or pinned.

const HEX64 = /(?<![0-9a-f])[0-9a-f]{64}(?![0-9a-f])/g;

/** Words that present a value as what was approved. Only the plan sha256 may wear them. */
export const APPROVAL_WORDS = /review|approv|pinn|plan/;

export interface LabelledHash {
  hash: string;
  /** Lower case, marks and quotes removed, at most the last 60 characters. */
  label: string;
}

export function labelledHashes(text: string): LabelledHash[] {
  const found: LabelledHash[] = [];
  let from = 0;
  for (const match of text.matchAll(HEX64)) {
    const before = text.slice(from, match.index);
    // `\\n`: a line break inside JSON-encoded Slack blocks.
    const cut = Math.max(before.lastIndexOf('\n'), before.lastIndexOf('\\n') + 1, before.lastIndexOf('·'));
    const label = before
      .slice(cut + 1)
      .replace(/[`*_"\\]/g, '')
      .replace(/\s+/g, ' ')
      .trim()
      .toLowerCase();
    found.push({ hash: match[0], label: label.slice(-60) });
    from = (match.index ?? 0) + match[0].length;
  }
  return found;
}

/** The values a surface presents as reviewed, approved or pinned, each with its label. */
export function approvalClaims(text: string): LabelledHash[] {
  return labelledHashes(text).filter((h) => APPROVAL_WORDS.test(h.label));
}

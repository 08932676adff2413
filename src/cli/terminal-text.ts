// What a reviewed file can make a terminal do. An ESC byte in a migration's SQL, a file name or
// a database error starts an escape sequence: it can recolour or hide lines, move the cursor,
// retitle the window or, on some terminals, write to the clipboard (OSC 52). So every control
// character but newline and tab is shown as text (`\x1b`), never written raw. C1 controls
// (U+0080-U+009F) count too: U+009B is a one-byte CSI on terminals that honour 8-bit controls.
// Unicode bidirectional overrides are shown as `\u202e` for the same reason a reviewer needs
// them visible: they reorder what is displayed against what runs (CVE-2021-42574, "Trojan Source").

function isUnsafe(code: number): boolean {
  if (code < 0x20) return code !== 0x0a && code !== 0x09;
  if (code >= 0x7f && code <= 0x9f) return true;
  return code === 0x200e || code === 0x200f || (code >= 0x202a && code <= 0x202e) || (code >= 0x2066 && code <= 0x2069);
}

// What isUnsafe accepts at or above DEL (below it, JSON.stringify has escaped all but newline and tab).
const UNSAFE_IN_JSON = /[\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/;

function escaped(code: number): string {
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
}

export function escapeControlChars(text: string): string {
  let out = '';
  let from = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (!isUnsafe(code)) continue;
    out += text.slice(from, i) + escaped(code);
    from = i + 1;
  }
  return from === 0 ? text : out + text.slice(from);
}

/** The same value with every string in it escaped: for a report about to be rendered with colours of our own. */
export function escapeControlCharsDeep<T>(value: T): T {
  if (typeof value === 'string') return escapeControlChars(value) as T;
  if (Array.isArray(value)) return value.map((v) => escapeControlCharsDeep(v)) as T;
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, escapeControlCharsDeep(v)])) as T;
  }
  return value;
}

export interface Output {
  write(text: string): unknown;
  isTTY?: boolean;
}

/** A writer for text that carries no styling of ours (errors, notices, plain reports): everything escaped. */
export function terminalSafe(stream: Output): Output {
  return { write: (text: string) => stream.write(escapeControlChars(text)), isTTY: stream.isTTY };
}

/**
 * JSON.stringify already writes C0 controls as \u001b; this does the same for DEL, C1 controls
 * and bidi overrides, which it leaves raw. Only valid on JSON text: outside strings JSON holds none.
 */
export function escapeJsonText(json: string): string {
  // Nearly every document holds none: one scan by the regular expression engine says so.
  if (!UNSAFE_IN_JSON.test(json)) return json;
  let out = '';
  let from = 0;
  for (let i = 0; i < json.length; i++) {
    const code = json.charCodeAt(i);
    // C0 controls inside strings are already \u00XX; what is left raw is DEL, C1 and bidi.
    if (code < 0x7f || !isUnsafe(code)) continue;
    out += `${json.slice(from, i)}\\u${code.toString(16).padStart(4, '0')}`;
    from = i + 1;
  }
  return from === 0 ? json : out + json.slice(from);
}

// Everything the bot posts to Slack or writes to its logs passes through redact(): build logs
// and error messages can carry connection strings and keys, and a Slack channel is no place
// for them. Patterns err on the side of hiding.

const RULES: [RegExp, string | ((...m: string[]) => string)][] = [
  // postgres://user:password@host, and any scheme://user:password@ URL
  [/\b([a-z][a-z0-9+.-]*:\/\/[^\s:/@]+):([^\s@/]+)@/gi, (_m, head) => `${head}:[REDACTED]@`],
  // password=..., PGPASSWORD=..., "password": "..."
  [/\b((?:pg)?pass(?:word|wd)?)("?\s*[=:]\s*)"([^"]*)"/gi, (_m, key, sep) => `${key}${sep}"[REDACTED]"`],
  [/\b((?:pg)?pass(?:word|wd)?)(\s*[=:]\s*)([^\s"'&;,]+)/gi, (_m, key, sep) => `${key}${sep}[REDACTED]`],
  // AWS access key ids
  [/\b(?:AKIA|ASIA|AROA|AIDA)[0-9A-Z]{16}\b/g, '[REDACTED_AWS_KEY_ID]'],
  // AWS secret access keys, when labelled
  [
    /\b(aws_secret_access_key|secretaccesskey|aws_session_token|sessiontoken)(\s*[=:]\s*)("?)([A-Za-z0-9/+=]{16,})\3/gi,
    (_m, key, sep, q) => `${key}${sep}${q}[REDACTED]${q}`,
  ],
  // Slack tokens
  [/\bxox[abposre]-[A-Za-z0-9-]{10,}/g, '[REDACTED_SLACK_TOKEN]'],
  [/\bxapp-[A-Za-z0-9-]{10,}/g, '[REDACTED_SLACK_TOKEN]'],
  // Authorization: Bearer ...
  [/\b(bearer)\s+[A-Za-z0-9._~+/=-]{8,}/gi, '$1 [REDACTED]'],
];

export function redact(text: string): string {
  let out = text;
  for (const [pattern, replacement] of RULES) out = out.replace(pattern, replacement as string);
  return out;
}

// Slack mrkdwn treats &, < and > as control characters: `<!channel>` pings a whole channel and
// `<https://x|text>` hides a link behind any text. Anything a person typed, and any SQL, goes
// through escapeMrkdwn before it reaches a message (https://api.slack.com/reference/surfaces/formatting#escaping).
export function escapeMrkdwn(text: string): string {
  // A run of three backticks in text a person typed (a reason, a file name) would open a code
  // block that swallows the rest of the message: a zero-width space splits every such run.
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/``(?=`)/g, '``\u200b');
}

/** A code block whose content cannot close the fence early. */
export function codeBlock(text: string): string {
  // Every pair of backticks is split, so no run of three survives (four backticks in a row
  // would otherwise leave a fence after splitting the first three).
  return `\`\`\`${escapeMrkdwn(text).replace(/``/g, '`\u200b`')}\`\`\``;
}

/** `<!date^…>` renders in each reader's own time zone; the fallback is UTC. */
export function slackDate(epochMs: number): string {
  const seconds = Math.floor(epochMs / 1000);
  const fallback = new Date(seconds * 1000).toISOString().replace('T', ' ').slice(0, 16);
  return `<!date^${seconds}^{date_short_pretty} {time}|${fallback} UTC>`;
}

export function mention(userId: string): string {
  return `<@${userId.replace(/[^A-Z0-9]/g, '')}>`;
}

/** A user group in mrkdwn, by id: Slack shows its handle and notifies its members (https://api.slack.com/reference/surfaces/formatting#mentioning-groups). */
export function subteam(id: string): string {
  return `<!subteam^${id}>`;
}

/**
 * A link to a message: app_redirect opens it in the reader's Slack client
 * (https://api.slack.com/reference/deep-linking#app_channel). `label` is mrkdwn.
 */
export function messageLink(channel: string, ts: string, label: string): string {
  return `<https://slack.com/app_redirect?channel=${channel}&message_ts=${ts}|${label}>`;
}

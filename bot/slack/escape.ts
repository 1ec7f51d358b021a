/**
 * Slack's control characters. Message text and `mrkdwn` are parsed for `<@U…>`, `<!channel>` and
 * `<url|label>`, so every user value must have `& < >` escaped, and nothing else
 * (https://docs.slack.dev/messaging/formatting-message-text#escaping).
 */
export function escapeSlack(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/**
 * Undoes the escaping Slack applies to what users type (slash command text arrives with `& < >` encoded),
 * so the shared layer sees what the user wrote. `&amp;` goes last so `&amp;lt;` stays `&lt;`.
 */
export function unescapeSlack(text: string): string {
  return text.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}

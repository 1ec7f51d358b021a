import { escapeMarkdown } from 'discord.js';

/**
 * Discord's message limits.
 * @see https://discord.com/developers/docs/resources/message#create-message-jsonform-params
 * @see https://discord.com/developers/docs/resources/message#embed-object-embed-limits
 */
export const DISCORD_LIMITS = {
  content: 2000,
  embedTotal: 6000,
  title: 256,
  description: 4096,
  fieldName: 256,
  fieldValue: 1024,
  footer: 2048,
  threadName: 100,
} as const;

/**
 * Plain text as Discord shows it literally: markdown characters escaped, so a hostname like `srv_01_`
 * or an installer message with `**` reads as typed. Mentions are not touched here: every message goes
 * out with `allowed_mentions: {parse: []}`, so `@everyone` in installer output pings nobody.
 */
export function plain(text: string): string {
  return escapeMarkdown(text);
}

/**
 * Cuts `text` to at most `max` characters, ending with a note that says how much was left out (the
 * full text stays in `/deploy-status` and the admin API). Cuts at a line end when one is near.
 */
export function fitText(text: string, max: number): string {
  if (text.length <= max) return text;
  const note = (n: number) => `\n… (${n} more characters cut; see /deploy-status)`;
  let keep = max - note(text.length).length;
  const lineEnd = text.lastIndexOf('\n', keep);
  if (lineEnd > keep - 200 && lineEnd > 0) keep = lineEnd;
  // Do not leave half a surrogate pair or a dangling escape backslash at the cut.
  if (/[\uD800-\uDBFF]$/.test(text.slice(0, keep))) keep--;
  while (keep > 0 && text[keep - 1] === '\\') keep--;
  return `${text.slice(0, keep)}${note(text.length - keep)}`;
}

/** Cuts a one-line value (embed title, field, thread name) with an ellipsis. */
export function clamp(text: string, max: number): string {
  if (text.length <= max) return text;
  let keep = max - 1;
  if (/[\uD800-\uDBFF]$/.test(text.slice(0, keep))) keep--;
  while (keep > 0 && text[keep - 1] === '\\') keep--;
  return `${text.slice(0, keep)}…`;
}

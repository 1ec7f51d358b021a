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

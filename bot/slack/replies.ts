import type { webApi } from '@slack/bolt';
import type { CommandReply } from '../../chat/chat-inbound.js';
import type { ChatUser } from '../../chat/chat-platform.js';
import { clamp } from '../../chat/messages/text-fit.js';
import type { Logger } from '../../core/logger.js';
import { escapeSlack } from './escape.js';
import { describe } from './outbound.js';
import type { ReplyContext } from './reply-context.js';

const MAX_REPLY = 12_000;

/**
 * Shows the shared layer's reply to the user who acted: through the response_url when there is one (a
 * command or a button), else as an ephemeral message in the channel (a reaction). Errors are always
 * ephemeral; `public` replies go to the channel. A reply that cannot be shown is logged, without its text.
 */
export async function deliverReply(
  client: webApi.WebClient,
  logger: Logger,
  user: ChatUser,
  reply: CommandReply,
  ctx: ReplyContext,
): Promise<void> {
  const text = clamp(escapeSlack(reply.text), MAX_REPLY);
  const inChannel = reply.ok && reply.visibility === 'public';
  try {
    if (ctx.respond) {
      await ctx.respond({
        response_type: inChannel ? 'in_channel' : 'ephemeral',
        replace_original: false,
        text,
      });
      return;
    }
    if (!ctx.channelId) throw new Error('nowhere to answer');
    if (inChannel) await client.chat.postMessage({ channel: ctx.channelId, text, mrkdwn: false });
    else await client.chat.postEphemeral({ channel: ctx.channelId, user: user.id, text });
  } catch (error) {
    logger.warn(
      { platform: 'slack', user: user.id, code: reply.code, reason: describe(error) },
      'could not show a reply to the user',
    );
  }
}

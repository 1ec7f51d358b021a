import type { webApi } from '@slack/bolt';
import type { ChatUser, ThreadMessage, WithCard, WithThread } from '../../chat/chat-platform.js';
import type { CardModel } from '../../chat/messages/card.js';
import { PlatformCallError } from '../../chat/platform-call-error.js';
import type { Logger } from '../../core/logger.js';
import { cardBlocks, cardFallback } from './card-blocks.js';
import { escapeSlack } from './escape.js';
import { cardMessageId, parseCardMessageId } from './message-ids.js';
import { asRateLimited, bucketKeys } from './rate-limits.js';
import type { ReplyContext } from './reply-context.js';

/** Reactions the bot puts on every pending card, so approvers only have to click one. */
export const DECISION_REACTIONS = ['white_check_mark', 'x'] as const;

const slackError = (error: unknown) => (error as { data?: { error?: string } })?.data?.error;

/**
 * The notifier's calls, as Slack Web API calls: the card with `chat.postMessage` (Block Kit) plus ✅ and ❌
 * reactions, edits with `chat.update`, thread replies with `thread_ts` = the card's ts. A 429 becomes a
 * `RateLimitedError` naming its bucket; the client does not retry it itself.
 */
export function slackOutbound(client: webApi.WebClient, logger: Logger) {
  const log = logger.child({ platform: 'slack' });

  async function react(channel: string, ts: string): Promise<void> {
    // The card is posted: failing here must not fail postCard, or the notifier would post it again.
    // Without the bot's reactions approvers can still add ✅/❌ themselves or use the buttons.
    for (const name of DECISION_REACTIONS) {
      try {
        await client.reactions.add({ channel, timestamp: ts, name });
      } catch (error) {
        if (slackError(error) === 'already_reacted') continue;
        log.warn({ err: asRateLimited(error), channel, ts, name }, 'could not add a reaction to the card');
      }
    }
  }

  return {
    async postCard(channelId: string, card: CardModel): Promise<{ messageId: string }> {
      let res: webApi.ChatPostMessageResponse;
      try {
        res = await client.chat.postMessage({
          channel: channelId,
          text: cardFallback(card),
          blocks: cardBlocks(card),
          unfurl_links: false,
          unfurl_media: false,
        });
      } catch (error) {
        throw asRateLimited(error, bucketKeys.post(channelId));
      }
      const channel = res.channel ?? channelId;
      const ts = res.ts!;
      if (card.awaitingDecision) await react(channel, ts);
      return { messageId: cardMessageId(channel, ts) };
    },

    async updateCard(ref: WithCard, card: CardModel): Promise<void> {
      const { channel, ts } = parseCardMessageId(ref.cardMessageId);
      try {
        await client.chat.update({ channel, ts, text: cardFallback(card), blocks: cardBlocks(card) });
      } catch (error) {
        // Someone deleted the card: there is nothing left to edit, and retrying would never succeed.
        if (slackError(error) === 'message_not_found') {
          log.warn({ deploymentId: ref.deploymentId, channel, ts }, 'card was deleted; not updating it');
          return;
        }
        throw asRateLimited(error, bucketKeys.update);
      }
    },

    async ensureThread(ref: WithCard): Promise<{ threadId: string }> {
      return { threadId: parseCardMessageId(ref.cardMessageId).ts };
    },

    async postThreadMessage(ref: WithThread, message: ThreadMessage): Promise<void> {
      const { channel } = parseCardMessageId(ref.cardMessageId);
      try {
        await client.chat.postMessage({
          channel,
          thread_ts: ref.threadId,
          text: escapeSlack(message.text),
          mrkdwn: false,
          unfurl_links: false,
          unfurl_media: false,
        });
      } catch (error) {
        if (slackError(error) === 'thread_not_found') {
          log.warn({ deploymentId: ref.deploymentId, channel }, 'card was deleted; dropping a thread reply');
          return;
        }
        throw asRateLimited(error, bucketKeys.post(ref.channelId));
      }
    },

    /** A channel digest: a top-level message in the cards' channel. */
    async postChannelMessage(channel: string, message: ThreadMessage): Promise<void> {
      try {
        await client.chat.postMessage({
          channel,
          text: escapeSlack(message.text),
          mrkdwn: false,
          unfurl_links: false,
          unfurl_media: false,
        });
      } catch (error) {
        throw asRateLimited(error, bucketKeys.post(channel));
      }
    },

    /**
     * Something only `user` may see: through the command's response_url (ephemeral), else as an ephemeral
     * message in the channel. Errors are replaced by a {@link PlatformCallError}, so neither the text nor a
     * request body holding it can reach a log through an error object.
     */
    async sendPrivate(user: ChatUser, text: string, context?: ReplyContext): Promise<void> {
      const body = escapeSlack(text);
      try {
        if (context?.respond) {
          await context.respond({ response_type: 'ephemeral', replace_original: false, text: body });
        } else if (context?.channelId) {
          await client.chat.postEphemeral({ channel: context.channelId, user: user.id, text: body });
        } else {
          throw new Error('no response_url or channel to answer in');
        }
      } catch (error) {
        const e = error as { response?: { status?: number } };
        throw new PlatformCallError(
          `could not send a private Slack message: ${describe(error)}`,
          describe(error),
          e?.response?.status ?? null,
        );
      }
    },
  };
}

/** What went wrong, without request bodies: a Slack error code, an HTTP status or an error code. */
export function describe(error: unknown): string {
  const e = error as { code?: string; data?: { error?: string }; response?: { status?: number } };
  if (e?.data?.error) return e.data.error;
  if (e?.response?.status) return `HTTP ${e.response.status}`;
  if (e?.code) return e.code;
  // Our own plain errors carry no request data.
  return error instanceof Error && error.constructor === Error ? error.message : 'unknown error';
}

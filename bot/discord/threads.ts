import { createHash } from 'node:crypto';
import { type APIChannel, type Client, MessageFlags, Routes } from 'discord.js';
import type { ThreadMessage, WithCard, WithThread } from '../../chat/chat-platform.js';
import { clamp, fitText } from '../../chat/messages/text-fit.js';
import type { Logger } from '../../core/logger.js';
import { isArchivedThread, isExistingThread, ThreadLockedError, toPlatformError } from './discord-errors.js';
import { DISCORD_LIMITS, plain } from './text-limits.js';

/** How long threads stay open without activity; a new message reopens an archived one. */
const AUTO_ARCHIVE_MINUTES = 4320;

/**
 * Opens the thread under a card, or finds it. Idempotent: Discord gives a thread started from a message
 * that message's id and answers a second start with 160004 (discord.js refuses it locally with
 * `MessageExistingThread` when it has the message cached); either way the existing thread is fetched.
 * @see https://discord.com/developers/docs/resources/channel#start-thread-from-message
 */
export async function ensureThread(
  client: Client,
  ref: WithCard,
  title: string,
): Promise<{ threadId: string }> {
  const body = { name: clamp(title, DISCORD_LIMITS.threadName), auto_archive_duration: AUTO_ARCHIVE_MINUTES };
  try {
    const thread = (await client.rest.post(Routes.threads(ref.channelId, ref.cardMessageId), {
      body,
    })) as APIChannel;
    return { threadId: thread.id };
  } catch (error) {
    if (!isExistingThread(error)) throw toPlatformError(error, 'starting a thread');
  }
  try {
    const existing = (await client.rest.get(Routes.channel(ref.cardMessageId))) as APIChannel;
    return { threadId: existing.id };
  } catch (error) {
    throw toPlatformError(error, 'finding the existing thread');
  }
}

/**
 * Posts one reply in a deployment's thread: markdown escaped, nobody mentioned, within 2000 characters
 * (cut with a note), without link previews; progress lines do not notify thread members. A thread
 * Discord archived reopens on the bot's message by itself; a locked one refuses it, which is reported
 * as a {@link ThreadLockedError} that says what to do.
 */
export async function postThreadMessage(
  client: Client,
  logger: Logger,
  ref: WithThread,
  message: ThreadMessage,
): Promise<void> {
  const body = messageBody(message);
  try {
    await client.rest.post(Routes.channelMessages(ref.threadId), { body });
  } catch (error) {
    if (!isArchivedThread(error)) throw toPlatformError(error, 'posting in a thread');
    const locked = new ThreadLockedError(
      `the thread of deployment #${ref.deploymentId} (${ref.threadId}) is archived and locked, so its ` +
        'updates cannot be posted; unlock it, or give the bot Manage Threads, and they will follow',
      50083,
      400,
    );
    logger.error({ deploymentId: ref.deploymentId, threadId: ref.threadId }, locked.message);
    throw locked;
  }
}

/** A channel digest: a message in the channel itself, with a thread message's rules. */
export async function postChannelMessage(client: Client, channelId: string, message: ThreadMessage) {
  try {
    await client.rest.post(Routes.channelMessages(channelId), { body: messageBody(message) });
  } catch (error) {
    throw toPlatformError(error, 'posting a channel digest');
  }
}

function messageBody(message: ThreadMessage) {
  return {
    content: fitText(plain(message.text), DISCORD_LIMITS.content),
    allowed_mentions: { parse: [] },
    // Discord drops a second message with the same nonce: a retry after a crash posts nothing twice.
    nonce: nonceOf(message.key),
    enforce_nonce: true,
    flags:
      MessageFlags.SuppressEmbeds |
      (message.priority === 'progress' ? MessageFlags.SuppressNotifications : 0),
  };
}

/** Discord nonces are at most 25 characters; the message key is longer, so it is hashed. */
function nonceOf(key: string): string {
  return createHash('sha256').update(key).digest('base64url').slice(0, 25);
}

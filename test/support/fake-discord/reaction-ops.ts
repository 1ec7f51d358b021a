import { GatewayDispatchEvents, GatewayIntentBits, RESTJSONErrorCodes } from 'discord-api-types/v10';
import type { FakeContext } from './context.js';
import { archivedThread, DiscordHttpError, unknownEmoji } from './errors.js';
import { requireChannel, requireMessage } from './message-ops.js';
import { apiMember, isThread, parseEmojiKey } from './payloads.js';
import type { FakeMessage } from './state.js';

/** Discord's cap on distinct reactions per message. */
const MAX_DISTINCT = 20;

/**
 * Turns the `:emoji` path segment into a reaction key. Unicode emoji stay as they are; custom ones are
 * `name:id` and must belong to the guild, which in this fake has none, so they answer 10014.
 */
export function emojiKey(segment: string): string {
  const key = decodeURIComponent(segment);
  if (/^(?:a:)?[\w-]+:\d{17,20}$/.test(key)) throw unknownEmoji();
  if (!/\p{Extended_Pictographic}|\p{Regional_Indicator}|\u20e3/u.test(key) || key.length > 32)
    throw unknownEmoji();
  return key;
}

/** Finds a message that can take reactions: known, and not in an archived thread. */
export function reactableMessage(ctx: FakeContext, channelId: string, messageId: string): FakeMessage {
  const channel = requireChannel(ctx, channelId);
  const message = requireMessage(ctx, channelId, messageId);
  if (isThread(channel) && channel.archived) throw archivedThread();
  return message;
}

/** Adds `userId`'s reaction (idempotent, like Discord) and dispatches MESSAGE_REACTION_ADD with the member. */
export function addReaction(ctx: FakeContext, message: FakeMessage, key: string, userId: string): void {
  const users = message.reactions.get(key) ?? [];
  if (users.includes(userId)) return;
  if (users.length === 0 && message.reactions.size >= MAX_DISTINCT) {
    throw new DiscordHttpError(400, {
      code: RESTJSONErrorCodes.MaximumNumberOfReactionsReached,
      message: 'Maximum number of reactions reached (20)',
    });
  }
  users.push(userId);
  message.reactions.set(key, users);
  ctx.gateway.dispatch(
    GatewayDispatchEvents.MessageReactionAdd,
    {
      user_id: userId,
      channel_id: message.channelId,
      message_id: message.id,
      guild_id: ctx.config.guildId,
      member: apiMember(ctx.state, userId),
      emoji: parseEmojiKey(key),
      message_author_id: message.authorId,
      burst: false,
      burst_colors: [],
      type: 0,
    },
    GatewayIntentBits.GuildMessageReactions,
  );
  ctx.state.changed('reaction:add');
}

/** Removes one user's reaction (no-op if absent, like Discord) and dispatches MESSAGE_REACTION_REMOVE. */
export function removeReaction(ctx: FakeContext, message: FakeMessage, key: string, userId: string): void {
  const users = message.reactions.get(key) ?? [];
  if (!users.includes(userId)) return;
  const rest = users.filter((u) => u !== userId);
  if (rest.length === 0) message.reactions.delete(key);
  else message.reactions.set(key, rest);
  ctx.gateway.dispatch(
    GatewayDispatchEvents.MessageReactionRemove,
    {
      user_id: userId,
      channel_id: message.channelId,
      message_id: message.id,
      guild_id: ctx.config.guildId,
      emoji: parseEmojiKey(key),
      burst: false,
      type: 0,
    },
    GatewayIntentBits.GuildMessageReactions,
  );
  ctx.state.changed('reaction:remove');
}

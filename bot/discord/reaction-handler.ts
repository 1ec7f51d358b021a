import {
  type APIUser,
  type Client,
  type Message,
  type MessageReaction,
  type PartialMessage,
  type PartialMessageReaction,
  type PartialUser,
  PermissionFlagsBits,
  RequestMethod,
  Routes,
  type User,
} from 'discord.js';
import type { ChatInbound } from '../../chat/chat-inbound.js';
import { APPROVE_EMOJI, REJECT_EMOJI, shouldTakeBackReaction, verdictOfEmoji } from '../../chat/verdicts.js';
import type { Logger } from '../../core/logger.js';
import type { CallBudget } from './call-budget.js';
import { parseButtonId } from './card-render.js';
import type { DiscordDirectory } from './discord-directory.js';
import { isMissingPermissions, toPlatformError } from './discord-errors.js';
import type { Members } from './members.js';
import type { ReactionPacer } from './reaction-pacer.js';

/** One ✅/❌ on a message, however it was learnt (gateway event or, after a restart, the REST list). */
interface Reacted {
  userId: string;
  userName: string;
  channelId: string;
  messageId: string;
  emoji: string;
}

export interface ReactionDeps {
  client: Client;
  inbound: ChatInbound;
  members: Members;
  pacer: ReactionPacer;
  budget: CallBudget;
  logger: Logger;
  directory?: DiscordDirectory;
}

/** What a sweep of pending cards found. */
export interface SweepReport {
  cards: number;
  decisions: number;
}

/** Turns ✅/❌ on cards into decisions, live and after a restart. */
export function createReactionHandler(deps: ReactionDeps) {
  const { client, logger } = deps;
  const encoded = (emoji: string) => encodeURIComponent(emoji);

  async function decide(r: Reacted): Promise<void> {
    const verdict = verdictOfEmoji(r.emoji);
    if (!verdict) return;
    const reply = await deps.inbound.decision({
      platform: 'discord',
      user: { id: r.userId, name: r.userName },
      verdict,
      cardMessageId: r.messageId,
    });
    logger.debug({ deploymentId: reply.deploymentId, user: r.userId, verdict, code: reply.code }, 'reaction');
    if (shouldTakeBackReaction(reply)) await takeBack(r);
  }

  /** Removes a reaction that decided nothing, where the bot holds Manage Messages. */
  async function takeBack(r: Reacted): Promise<void> {
    if (canManageMessages(r.channelId) === false) return;
    try {
      await deps.pacer.run(
        r.channelId,
        RequestMethod.Delete,
        Routes.channelMessageUserReaction(r.channelId, r.messageId, encoded(r.emoji), r.userId),
      );
    } catch (error) {
      if (isMissingPermissions(error)) return;
      logger.warn({ err: toPlatformError(error, 'removing a reaction') }, 'could not remove a reaction');
    }
  }

  /** True/false from the cached guild; null when unknown (a worker-only client has no cache). */
  function canManageMessages(channelId: string): boolean | null {
    const channel = client.channels.cache.get(channelId);
    if (!channel || !('guild' in channel) || !channel.guild.members.me) return null;
    return channel.guild.members.me.permissionsIn(channel).has(PermissionFlagsBits.ManageMessages);
  }

  async function onReactionAdd(
    reaction: MessageReaction | PartialMessageReaction,
    user: User | PartialUser,
  ): Promise<void> {
    const emoji = reaction.emoji.name ?? '';
    if (!verdictOfEmoji(emoji) || user.bot || user.id === client.user?.id) return;
    const author = reaction.message.author;
    // Cards are the bot's own messages; other messages are not even looked up.
    if (author && author.id !== client.user?.id) return;
    const guild = reaction.message.guild;
    deps.members.remember(user.id, reaction.message.guildId ?? null);
    const member = guild?.members.cache.get(user.id);
    const userName = member?.displayName ?? user.globalName ?? user.username ?? user.id;
    await decide({
      userId: user.id,
      userName,
      channelId: reaction.message.channelId,
      messageId: reaction.message.id,
      emoji,
    });
  }

  /**
   * Puts the bot's own ✅ ❌ under a card the notifier (in this or a worker process) just posted, so
   * people only have to click. Done here, in the one process holding the gateway, so a single pacer
   * spaces every reaction call of a channel.
   */
  async function onMessageCreate(message: Message | PartialMessage): Promise<void> {
    if (message.author?.id !== client.user?.id || !awaitsDecision(message)) return;
    await addOwnReaction(deps.pacer, logger, message.channelId, message.id, APPROVE_EMOJI);
    await addOwnReaction(deps.pacer, logger, message.channelId, message.id, REJECT_EMOJI);
  }

  /**
   * Applies ✅/❌ made while the bot was away to every card still pending (❌ first: when both are
   * there and their order is unknown, nothing is installed). Also puts back the bot's own ✅/❌ if a
   * crash came between posting a card and reacting to it.
   */
  async function sweep(): Promise<SweepReport> {
    const cards = deps.directory ? await deps.directory.pendingCards() : [];
    let decisions = 0;
    for (const card of cards) {
      for (const emoji of [REJECT_EMOJI, APPROVE_EMOJI]) {
        const route = Routes.channelMessageReaction(card.channelId, card.cardMessageId, encoded(emoji));
        let users: APIUser[];
        try {
          await deps.budget.take();
          users = (await client.rest.get(route, {
            query: new URLSearchParams({ limit: '100' }),
          })) as APIUser[];
        } catch (error) {
          logger.warn(
            { err: toPlatformError(error, 'listing reactions'), deploymentId: card.deploymentId },
            'sweep',
          );
          continue;
        }
        const own = users.some((u) => u.id === client.user?.id);
        for (const u of users.filter((x) => !x.bot)) {
          deps.members.remember(u.id, channelGuild(card.channelId));
          const userName = await deps.members.displayName(u.id, u);
          await decide({
            userId: u.id,
            userName,
            channelId: card.channelId,
            messageId: card.cardMessageId,
            emoji,
          });
          decisions++;
        }
        if (!own) await addOwnReaction(deps.pacer, logger, card.channelId, card.cardMessageId, emoji);
      }
    }
    return { cards: cards.length, decisions };
  }

  function channelGuild(channelId: string): string | null {
    const channel = client.channels.cache.get(channelId);
    return channel && 'guildId' in channel ? channel.guildId : null;
  }

  return { onReactionAdd, onMessageCreate, sweep };
}

/** The bot's own ✅/❌ under a card, so people only have to click. Best effort: logged, never thrown. */
export async function addOwnReaction(
  pacer: ReactionPacer,
  logger: Logger,
  channelId: string,
  messageId: string,
  emoji: string,
): Promise<void> {
  try {
    const route = Routes.channelMessageOwnReaction(channelId, messageId, encodeURIComponent(emoji));
    await pacer.run(channelId, RequestMethod.Put, route);
  } catch (error) {
    logger.warn({ err: toPlatformError(error, 'reacting to a card') }, 'could not add a reaction to a card');
  }
}

/** Whether a message is a card still waiting for a decision (it carries our Approve button). */
function awaitsDecision(message: Message | PartialMessage): boolean {
  return message.components.some(
    (row) =>
      'components' in row &&
      row.components.some((c) => 'customId' in c && parseButtonId(c.customId ?? '')?.verdict === 'approve'),
  );
}

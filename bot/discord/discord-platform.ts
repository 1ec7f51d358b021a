import { createHash } from 'node:crypto';
import {
  type APIChannel,
  type APIMessage,
  type Client,
  type ClientOptions,
  Events,
  MessageFlags,
  Routes,
} from 'discord.js';
import type { Config } from '../../core/config/index.js';
import type { Logger } from '../../core/logger.js';
import type { ChatInbound } from '../chat-inbound.js';
import type { ChatPlatform, ChatUser, ThreadMessage, WithCard, WithThread } from '../chat-platform.js';
import type { CardModel } from '../messages/card.js';
import { createCallBudget } from './call-budget.js';
import { APPROVE_EMOJI, REJECT_EMOJI, renderCard } from './card-render.js';
import { createDiscordClient } from './discord-client.js';
import type { DiscordDirectory } from './discord-directory.js';
import {
  DiscordCallError,
  isArchivedThread,
  isExistingThread,
  ThreadLockedError,
  toPlatformError,
} from './discord-errors.js';
import { handleInteraction } from './interaction-handler.js';
import { InteractionSession } from './interaction-session.js';
import { createMembers } from './members.js';
import { DEFAULT_RATE_LIMITS, type DiscordRateLimits, rateBucketsFor } from './rate-limits.js';
import { createReactionHandler, type SweepReport } from './reaction-handler.js';
import { createReactionPacer } from './reaction-pacer.js';
import { clamp, DISCORD_LIMITS, fitText, plain } from './text-limits.js';

export interface DiscordPlatformOptions {
  /**
   * Catalog for `/deploy` autocomplete and the pending cards checked on (re)connect; the bot role passes
   * `coreDirectory(core)`. Without it autocomplete offers nothing and no sweep runs.
   */
  directory?: DiscordDirectory;
  /** Discord's limits as declared to the notifier. @defaultValue {@link DEFAULT_RATE_LIMITS} */
  rateLimits?: Partial<DiscordRateLimits>;
  /** Extra discord.js client options (tests: `waitGuildTimeout`, `ws.buildIdentifyThrottler`). */
  client?: Partial<ClientOptions>;
}

/** The Discord adapter, plus what tests and operators may look at. */
export interface DiscordPlatform extends ChatPlatform {
  readonly client: Client;
  /** Checks pending cards for ✅/❌ made while the bot was away (runs on every new gateway session). */
  sweepPendingCards(): Promise<SweepReport>;
}

/** How long threads stay open without activity; a new message reopens an archived one. */
const AUTO_ARCHIVE_MINUTES = 4320;

/**
 * Discord for Octofleet: `/deploy` and friends as slash commands, the card as an embed with ✅/❌
 * reactions and Approve/Reject buttons, and a thread under the card for the installer's progress.
 * Only translates: commands and decisions go to the shared layer, cards and thread replies come from
 * the notifier. All outbound calls are plain REST, so they work for uncached channels and in a
 * worker-only process that never opens the gateway.
 */
export function createDiscordPlatform(
  config: Config,
  logger: Logger,
  opts: DiscordPlatformOptions = {},
): DiscordPlatform {
  if (!config.DISCORD_TOKEN) throw new Error('DISCORD_TOKEN is required for the Discord adapter');
  const token = config.DISCORD_TOKEN;
  const log = logger.child({ platform: 'discord' });
  const limits = { ...DEFAULT_RATE_LIMITS, ...opts.rateLimits };
  const client = createDiscordClient(config, limits, opts.client);
  const budget = createCallBudget(limits.botOwn);
  const members = createMembers(client, config, budget);
  const pacer = createReactionPacer(client, budget);
  const background = new Set<Promise<unknown>>();
  let reactions: ReturnType<typeof createReactionHandler> | null = null;

  let sweeping: Promise<unknown> = Promise.resolve();

  const track = (work: Promise<unknown>): Promise<unknown> => {
    const p = work.catch((error) => log.warn({ err: error }, 'background Discord call failed'));
    background.add(p);
    void p.finally(() => background.delete(p));
    return p;
  };

  const call = async <T>(what: string, fn: () => Promise<unknown>): Promise<T> => {
    try {
      return (await fn()) as T;
    } catch (error) {
      throw toPlatformError(error, what);
    }
  };

  const sweep = async (): Promise<SweepReport> => {
    if (!reactions) return { cards: 0, decisions: 0 };
    const report = await reactions.sweep();
    if (report.cards) log.info({ ...report }, 'checked pending cards for reactions made while away');
    return report;
  };

  return {
    name: 'discord',
    defaultChannel: config.DISCORD_CHANNEL_ID,
    // Room for markdown escapes below Discord's 2000; anything longer is cut with a note.
    maxMessageLength: 1800,
    client,

    async start(inbound?: ChatInbound) {
      if (!inbound) {
        // Worker only: REST is all the notifier needs; no gateway session competes with the bot's.
        client.rest.setToken(token);
        return;
      }
      if (config.DISCORD_APPROVER_ROLE_IDS.length === 0) {
        log.warn('DISCORD_APPROVER_ROLE_IDS is empty: nobody can approve deployments on Discord');
      }
      const deps = { client, inbound, members, pacer, budget, logger: log, directory: opts.directory };
      const handler = createReactionHandler(deps);
      reactions = handler;
      client.on(Events.InteractionCreate, (interaction) => void track(handleInteraction(deps, interaction)));
      client.on(
        Events.MessageReactionAdd,
        (reaction, user) => void track(handler.onReactionAdd(reaction, user)),
      );
      client.on(Events.MessageCreate, (message) => void track(handler.onMessageCreate(message)));
      // A new session (first start, or after Discord refused to resume) missed events; a resume did not.
      client.on(Events.ShardReady, () => {
        sweeping = track(sweep());
      });
      client.on(Events.ShardReconnecting, () => log.warn('Discord gateway connection lost; reconnecting'));
      client.on(Events.ShardResume, () => log.info('Discord gateway connection resumed'));
      client.on(Events.Error, (error) => log.error({ err: error }, 'Discord client error'));
      const ready = new Promise<void>((resolve) => client.once(Events.ClientReady, () => resolve()));
      try {
        await client.login(token);
      } catch (error) {
        await client.destroy();
        throw toPlatformError(error, 'logging in to Discord');
      }
      await ready;
      log.info({ user: client.user?.tag }, 'connected to Discord');
      // Started means caught up: what was decided while away is applied before anything new arrives.
      await sweeping;
    },

    async stop() {
      client.removeAllListeners();
      await Promise.allSettled([...background]);
      await client.destroy();
    },

    async postCard(channelId, card) {
      const message = await call<APIMessage>('posting a card', () =>
        client.rest.post(Routes.channelMessages(channelId), { body: renderCard(card) }),
      );
      // The bot process adds ✅ ❌ when it sees the card arrive (one process paces all reaction calls).
      return { messageId: message.id };
    },

    async updateCard(ref: WithCard, card: CardModel) {
      await call('editing a card', () =>
        client.rest.patch(Routes.channelMessage(ref.channelId, ref.cardMessageId), {
          body: renderCard(card),
        }),
      );
    },

    async ensureThread(ref: WithCard, title: string) {
      const body = {
        name: clamp(title, DISCORD_LIMITS.threadName),
        auto_archive_duration: AUTO_ARCHIVE_MINUTES,
      };
      try {
        const thread = (await client.rest.post(Routes.threads(ref.channelId, ref.cardMessageId), {
          body,
        })) as APIChannel;
        return { threadId: thread.id };
      } catch (error) {
        if (!isExistingThread(error)) throw toPlatformError(error, 'starting a thread');
      }
      // Already there (a retry after a crash): a thread started from a message carries the message's id.
      const existing = await call<APIChannel>('finding the existing thread', () =>
        client.rest.get(Routes.channel(ref.cardMessageId)),
      );
      return { threadId: existing.id };
    },

    async postThreadMessage(ref: WithThread, message: ThreadMessage) {
      const body = {
        content: fitText(plain(message.text), DISCORD_LIMITS.content),
        allowed_mentions: { parse: [] },
        // Discord drops a second message with the same nonce: a retry after a crash posts nothing twice.
        nonce: nonceOf(message.key),
        enforce_nonce: true,
        // No link previews of installer URLs; progress lines do not notify thread members.
        flags:
          MessageFlags.SuppressEmbeds |
          (message.priority === 'progress' ? MessageFlags.SuppressNotifications : 0),
      };
      try {
        await client.rest.post(Routes.channelMessages(ref.threadId), { body });
      } catch (error) {
        // An archived thread reopens on a bot message by itself; only a locked one refuses it.
        if (!isArchivedThread(error)) throw toPlatformError(error, 'posting in a thread');
        const locked = new ThreadLockedError(
          `the thread of deployment #${ref.deploymentId} (${ref.threadId}) is archived and locked, so its ` +
            'updates cannot be posted; unlock it, or give the bot Manage Threads, and they will follow',
          50083,
          400,
        );
        log.error({ deploymentId: ref.deploymentId, threadId: ref.threadId }, locked.message);
        throw locked;
      }
    },

    async sendPrivate(_user: ChatUser, text: string, context?: unknown) {
      // Only an interaction gives a channel nobody else sees; the channel is never a fallback.
      if (!(context instanceof InteractionSession)) {
        throw new DiscordCallError('no private channel to this user outside a command', 'no-context', null);
      }
      await context.private(text);
    },

    async isApprover(user: ChatUser) {
      return members.isApprover(user.id);
    },

    rateBuckets(action, ref) {
      return rateBucketsFor(limits, action, ref);
    },

    approvalHint() {
      return `React ${APPROVE_EMOJI} to approve or ${REJECT_EMOJI} to reject (or use the buttons).`;
    },

    sweepPendingCards: sweep,
  };
}

/** Discord nonces are at most 25 characters; the message key is longer, so it is hashed. */
function nonceOf(key: string): string {
  return createHash('sha256').update(key).digest('base64url').slice(0, 25);
}

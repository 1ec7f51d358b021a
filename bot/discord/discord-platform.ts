import { type APIMessage, type Client, type ClientOptions, Events, Routes } from 'discord.js';
import type { ChatInbound } from '../../chat/chat-inbound.js';
import type {
  ChatPlatform,
  ChatUser,
  ThreadMessage,
  WithCard,
  WithThread,
} from '../../chat/chat-platform.js';
import type { CardModel } from '../../chat/messages/card.js';
import { APPROVE_EMOJI, REJECT_EMOJI } from '../../chat/verdicts.js';
import type { Config } from '../../core/config/index.js';
import type { Logger } from '../../core/logger.js';
import { createCallBudget } from './call-budget.js';
import { renderCard } from './card-render.js';
import { createDiscordClient } from './discord-client.js';
import type { DiscordDirectory } from './discord-directory.js';
import { DiscordCallError, toPlatformError } from './discord-errors.js';
import { handleInteraction } from './interaction-handler.js';
import { InteractionSession } from './interaction-session.js';
import { createMembers } from './members.js';
import { DEFAULT_RATE_LIMITS, type DiscordRateLimits, rateBucketsFor } from './rate-limits.js';
import { createReactionHandler, type SweepReport } from './reaction-handler.js';
import { createReactionPacer } from './reaction-pacer.js';
import { registrationDrift } from './register-commands.js';
import { ensureThread, postChannelMessage, postThreadMessage } from './threads.js';

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
  /** Resolves once every interaction, reaction and sweep being handled right now is finished. */
  settled(): Promise<void>;
}

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

  const checkRegistration = async () => {
    if (!client.isReady()) return;
    const drift = await registrationDrift(client, config.DISCORD_GUILD_ID);
    if (drift.length) {
      log.warn({ drift }, 'Discord slash commands differ from this version; run npm run discord:register');
    }
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
      void track(checkRegistration());
      // Started means caught up: what was decided while away is applied before anything new arrives.
      await sweeping;
    },

    async stop() {
      client.removeAllListeners();
      while (background.size) await Promise.allSettled([...background]);
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

    ensureThread: (ref: WithCard, title: string) => ensureThread(client, ref, title),

    postThreadMessage: (ref: WithThread, message: ThreadMessage) =>
      postThreadMessage(client, log, ref, message),
    postChannelMessage: (channelId: string, message: ThreadMessage) =>
      postChannelMessage(client, channelId, message),

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

    async settled() {
      while (background.size) await Promise.allSettled([...background]);
    },
  };
}

import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { GatewayDispatchEvents, GatewayIntentBits } from 'discord-api-types/v10';
import { type FakeDiscordOptions, seedState } from './config.js';
import type { FakeContext } from './context.js';
import { type CallMatcher, FailureInjector, type InjectedFailure } from './failure-injector.js';
import { FakeGateway } from './gateway-server.js';
import { compileRoutes, createRestHandler } from './http-server.js';
import {
  resolveChannel,
  resolveUser,
  type SendInteractionOptions,
  sendInteraction,
} from './interaction-builder.js';
import { postMessage } from './message-ops.js';
import { apiChannel, isThread } from './payloads.js';
import { RateLimiter } from './rate-limiter.js';
import { addReaction, reactableMessage, removeReaction } from './reaction-ops.js';
import { appRoutes } from './routes/app-routes.js';
import { channelRoutes } from './routes/channel-routes.js';
import { commandRoutes } from './routes/command-routes.js';
import { interactionRoutes } from './routes/interaction-routes.js';
import { reactionRoutes } from './routes/reaction-routes.js';
import { threadRoutes } from './routes/thread-routes.js';
import { createSnowflakeFactory } from './snowflake.js';
import { FakeDiscordState, type FakeInteraction, type FakeMessage } from './state.js';
import { waitForState } from './wait-for.js';

/** A running fake Discord: connection details for discord.js, state to assert on, and levers to pull. */
export interface FakeDiscord {
  /** Pass as `new Client({ rest: { api: apiBase } })`; discord.js appends `/v10`. */
  apiBase: string;
  /** What `GET /gateway/bot` advertises. */
  gatewayUrl: string;
  token: string;
  applicationId: string;
  /** The bot user's id (equal to the application id, as for modern Discord apps). */
  botUserId: string;
  guildId: string;
  state: FakeDiscordState;
  /** Id of a configured channel or thread, by name. */
  channelId(name: string): string;
  /** Id of a configured role, by name. */
  roleId(name: string): string;
  /** Id of a configured member, by username. */
  userId(username: string): string;
  /** A user runs a slash command, presses a button, types into an autocomplete option or submits a modal. */
  sendInteraction(options: SendInteractionOptions): FakeInteraction;
  /** A member reacts; dispatches MESSAGE_REACTION_ADD with the member and their roles. User/channel by id or name. */
  addReaction(user: string, channel: string, messageId: string, emoji: string): void;
  removeReaction(user: string, channel: string, messageId: string, emoji: string): void;
  /** A member posts a message (dispatches MESSAGE_CREATE; content hidden without the MessageContent intent). */
  postUserMessage(user: string, channel: string, content: string): FakeMessage;
  /** Discord archives (and optionally locks) a thread, e.g. after its auto-archive duration. */
  archiveThread(threadId: string, options?: { locked?: boolean }): void;
  /** Ends an interaction token's 15-minute lifetime now: later webhook calls answer 401 50027. */
  expireInteraction(interactionId: string): void;
  /** Cuts gateway sockets without a close frame; `resumable: false` also forgets the sessions. Returns sockets cut. */
  dropGateway(options?: { resumable?: boolean }): number;
  /** Sends op 7 RECONNECT to every session. */
  requestReconnect(): void;
  /** Number of gateway sessions with an open socket. */
  connectedSessions(): number;
  /** The next `count` matching calls get `failure` (a status such as 500, or `'reset'`) instead of an answer. */
  failNext(count: number, failure: InjectedFailure, matcher?: CallMatcher): void;
  /**
   * Resolves with the predicate's first truthy result, re-checked on every state change; rejects after
   * `timeoutMs` (default 5000) naming `label`. A predicate that throws counts as "not yet".
   */
  waitFor<T>(
    predicate: (state: FakeDiscordState) => T | undefined | null | false,
    timeoutMs?: number,
    label?: string,
  ): Promise<T>;
  close(): Promise<void>;
}

/** Starts the fake on 127.0.0.1 with a free port. */
export async function startFakeDiscord(options: FakeDiscordOptions = {}): Promise<FakeDiscord> {
  const state = new FakeDiscordState();
  state.setMaxListeners(0);
  const nextId = createSnowflakeFactory();
  const config = seedState(options, state, nextId);
  let origin = '';
  const gateway = new FakeGateway(state, config, () => `${origin.replace(/^http/, 'ws')}/gateway`);
  const ctx: FakeContext = { state, config, nextId, gateway, origin: () => origin };
  const injector = new FailureInjector();
  const routes = compileRoutes([
    ...appRoutes,
    ...commandRoutes,
    ...threadRoutes,
    ...reactionRoutes,
    ...channelRoutes,
    ...interactionRoutes,
  ]);
  const server = createServer(createRestHandler(ctx, routes, new RateLimiter(config.rateLimits), injector));
  server.on('upgrade', (req, socket, head) => gateway.handleUpgrade(req, socket, head));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const byName = <T extends { id: string }>(
    items: Iterable<T>,
    key: (t: T) => string,
    name: string,
    what: string,
  ) => {
    const found = [...items].find((i) => key(i) === name);
    if (!found) throw new Error(`fake-discord: no ${what} named "${name}"`);
    return found.id;
  };
  const reactionTarget = (user: string, channel: string, messageId: string) => ({
    userId: resolveUser(ctx, user),
    message: reactableMessage(ctx, resolveChannel(ctx, channel), messageId),
  });

  return {
    apiBase: `${origin}/api`,
    gatewayUrl: `${origin.replace(/^http/, 'ws')}/gateway`,
    token: config.token,
    applicationId: config.applicationId,
    botUserId: config.applicationId,
    guildId: config.guildId,
    state,
    channelId: (name) => byName(state.channels.values(), (c) => c.name, name, 'channel'),
    roleId: (name) => byName(state.roles.values(), (r) => r.name, name, 'role'),
    userId: (name) => byName(state.users.values(), (u) => u.username, name, 'user'),
    sendInteraction: (o) => sendInteraction(ctx, o),
    addReaction(user, channel, messageId, emoji) {
      const t = reactionTarget(user, channel, messageId);
      addReaction(ctx, t.message, emoji, t.userId);
    },
    removeReaction(user, channel, messageId, emoji) {
      const t = reactionTarget(user, channel, messageId);
      removeReaction(ctx, t.message, emoji, t.userId);
    },
    postUserMessage: (user, channel, content) =>
      postMessage(ctx, {
        channelId: resolveChannel(ctx, channel),
        authorId: resolveUser(ctx, user),
        body: { content },
      }),
    archiveThread(threadId, opts = {}) {
      const thread = state.channels.get(threadId);
      if (!thread || !isThread(thread)) throw new Error(`fake-discord: no thread ${threadId}`);
      thread.archived = true;
      thread.locked = opts.locked ?? thread.locked;
      thread.archiveTimestamp = new Date().toISOString();
      gateway.dispatch(
        GatewayDispatchEvents.ThreadUpdate,
        apiChannel(state, thread),
        GatewayIntentBits.Guilds,
      );
    },
    expireInteraction(id) {
      const interaction = state.interactions.get(id);
      if (!interaction) throw new Error(`fake-discord: no interaction ${id}`);
      interaction.tokenExpired = true;
    },
    dropGateway: (o) => gateway.drop(o),
    requestReconnect: () => gateway.requestReconnect(),
    connectedSessions: () => gateway.connectedSessions,
    failNext: (count, failure, matcher) => injector.add(count, failure, matcher),
    waitFor: (predicate, timeoutMs = 5000, label) => waitForState(state, predicate, timeoutMs, label),
    async close() {
      await gateway.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

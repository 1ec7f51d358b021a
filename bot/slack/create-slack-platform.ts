import type { IncomingMessage, ServerResponse } from 'node:http';
import { webApi } from '@slack/bolt';
import { Redis } from 'ioredis';
import type { ChatInbound } from '../../chat/chat-inbound.js';
import type { ChatPlatform } from '../../chat/chat-platform.js';
import type { Config } from '../../core/config/index.js';
import type { Logger } from '../../core/logger.js';
import { createApprovers } from './approvers.js';
import { type BoltApp, createBoltApp, SLACK_EVENTS_PATH } from './bolt-app.js';
import { slackLogger } from './bolt-logger.js';
import { createEventDedupe } from './event-dedupe.js';
import { registerListeners } from './listeners.js';
import { slackOutbound } from './outbound.js';
import { slackRateBuckets } from './rate-limits.js';
import { asReplyContext } from './reply-context.js';
import { verifySlackSetup } from './startup-checks.js';
import { createUserNames } from './user-names.js';

/** The configuration the adapter reads. */
export type SlackConfig = Pick<
  Config,
  | 'SLACK_BOT_TOKEN'
  | 'SLACK_SIGNING_SECRET'
  | 'SLACK_APP_TOKEN'
  | 'SLACK_API_URL'
  | 'SLACK_CHANNEL_ID'
  | 'SLACK_APPROVER_USER_IDS'
  | 'SLACK_APPROVER_USERGROUP_ID'
  | 'SLACK_PORT'
  | 'REDIS_URL'
  | 'QUEUE_PREFIX'
  | 'slackMode'
>;

export interface SlackPlatformOptions {
  /** Redis for event deduplication. @defaultValue a connection to `REDIS_URL`, opened by `start(inbound)` */
  redis?: Redis;
  /** See {@link ApproverOptions.cacheMs}. @defaultValue 10 000 */
  approverCacheMs?: number;
  /** Socket Mode reconnect delay base (Slack's client waits this × consecutive failures). @defaultValue 5000 */
  socketPingTimeoutMs?: number;
  /** How long an `event_id` is remembered. @defaultValue 3600 */
  dedupeTtlSeconds?: number;
}

/** A raw Node handler, as `createBootServer`'s `adminMounts` take them. */
export type SlackRequestHandler = (req: IncomingMessage, res: ServerResponse) => void;

/** The Slack {@link ChatPlatform}, plus what `cli/start.ts` needs to wire it. */
export interface SlackPlatform extends ChatPlatform {
  readonly mode: 'http' | 'socket';
  /** Path of the HTTP endpoint (Request URL of commands, events and interactivity). */
  readonly eventsPath: typeof SLACK_EVENTS_PATH;
  /**
   * HTTP mode: the handler to mount at {@link eventsPath} on the admin listener (`SLACK_PORT=0`). It
   * answers 503 until `start(inbound)` and after `stop()`. Undefined in Socket Mode.
   */
  readonly requestHandler?: SlackRequestHandler;
  /** HTTP mode with `SLACK_PORT` set: the port of Slack's own listener, once started. */
  readonly port: number | undefined;
  /** The bot's user id, known once started. */
  readonly botUserId: string | undefined;
}

const MAX_MESSAGE = 4000;

/** Normalizes `SLACK_API_URL` to the form the WebClient joins method names to (`…/api/`). */
function apiUrl(url: string | undefined): string | undefined {
  return url ? url.replace(/\/*$/, '/') : undefined;
}

/**
 * The Slack adapter: `/deploy` and the other commands as slash commands, a Block Kit card per request
 * with ✅/❌ reactions and Approve/Reject buttons, thread replies under the card. HTTP mode (signing
 * secret; mounted on the admin listener or on `SLACK_PORT`) or Socket Mode (app token), from `config`.
 *
 * Outbound calls work without `start` (a worker-only process); `start(inbound)` connects the inbound side.
 */
export function createSlackPlatform(
  config: SlackConfig,
  logger: Logger,
  opts: SlackPlatformOptions = {},
): SlackPlatform {
  if (!config.SLACK_BOT_TOKEN || !config.slackMode) {
    throw new Error('the Slack adapter needs SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET or SLACK_APP_TOKEN');
  }
  const mode = config.slackMode;
  const botToken = config.SLACK_BOT_TOKEN;
  const sdkLogger = slackLogger(logger);
  const slackApiUrl = apiUrl(config.SLACK_API_URL);
  const clientOptions: webApi.WebClientOptions = {
    slackApiUrl,
    logger: sdkLogger,
    // 429s go back to the shared notifier (RateLimitedError) instead of pausing this client's whole queue.
    rejectRateLimitedCalls: true,
    retryConfig: { retries: 2, factor: 2, minTimeout: 250, maxTimeout: 2000 },
    timeout: 10_000,
    // The original error holds the request, and a request can hold a password sent privately.
    attachOriginalToWebAPIRequestError: false,
  };
  const client = new webApi.WebClient(botToken, clientOptions);
  const approvers = createApprovers(
    client,
    {
      userIds: config.SLACK_APPROVER_USER_IDS,
      usergroupId: config.SLACK_APPROVER_USERGROUP_ID,
      cacheMs: opts.approverCacheMs,
    },
    logger,
  );
  const names = createUserNames(client);
  const outbound = slackOutbound(client, logger);

  let bolt: BoltApp | undefined;
  let ownRedis: Redis | undefined;
  let ready = false;
  let port: number | undefined;
  let botUserId: string | undefined;

  const requestHandler: SlackRequestHandler = (req, res) => {
    const listener = ready ? bolt?.requestListener : undefined;
    if (!listener) {
      res.writeHead(503, { 'content-type': 'text/plain', 'retry-after': '5' });
      res.end('the Slack receiver is not running');
      return;
    }
    try {
      listener(req, res);
    } catch {
      // Bolt throws for anything but POST /slack/events.
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('not found');
    }
  };

  async function connect(inbound: ChatInbound, identity: { botId: string; botUserId: string }) {
    if (approvers.none) {
      logger.warn(
        'no Slack approvers configured (SLACK_APPROVER_USER_IDS, SLACK_APPROVER_USERGROUP_ID): nobody can approve',
      );
    }
    if (!opts.redis) {
      ownRedis = new Redis(config.REDIS_URL, { maxRetriesPerRequest: 1 });
      ownRedis.on('error', (error) => logger.warn({ err: error }, 'Redis (Slack event dedupe) error'));
    }
    const redis = opts.redis ?? ownRedis!;
    const dedupe = createEventDedupe(redis, config.QUEUE_PREFIX, logger, opts.dedupeTtlSeconds);
    bolt = createBoltApp({
      mode,
      botToken,
      ...identity,
      signingSecret: config.SLACK_SIGNING_SECRET,
      appToken: config.SLACK_APP_TOKEN,
      clientOptions: { ...clientOptions },
      // apps.connections.open is Tier 1: let the socket client wait out a 429 rather than fail.
      socketClientOptions: { slackApiUrl, logger: sdkLogger, timeout: 10_000, retryConfig: { retries: 10 } },
      logger: sdkLogger,
      socketPingTimeoutMs: opts.socketPingTimeoutMs,
    });
    registerListeners({ app: bolt.app, inbound, client, names, approvers, dedupe, logger });
    port = await bolt.start(mode === 'http' && config.SLACK_PORT ? config.SLACK_PORT : undefined);
    ready = true;
    logger.info(
      {
        platform: 'slack',
        mode,
        endpoint: mode === 'http' ? (port ? `:${port}` : 'admin listener') : 'socket',
      },
      'Slack connected',
    );
  }

  return {
    name: 'slack',
    mode,
    eventsPath: SLACK_EVENTS_PATH,
    requestHandler: mode === 'http' ? requestHandler : undefined,
    defaultChannel: config.SLACK_CHANNEL_ID,
    maxMessageLength: MAX_MESSAGE,
    get port() {
      return port;
    },
    get botUserId() {
      return botUserId;
    },

    async start(inbound?: ChatInbound) {
      const identity = await verifySlackSetup(client, config.SLACK_CHANNEL_ID);
      botUserId = identity.botUserId;
      if (inbound) await connect(inbound, identity);
    },

    async stop() {
      ready = false;
      await bolt?.stop();
      bolt = undefined;
      if (ownRedis) await ownRedis.quit().catch(() => ownRedis?.disconnect());
      ownRedis = undefined;
    },

    postCard: outbound.postCard,
    updateCard: outbound.updateCard,
    ensureThread: outbound.ensureThread,
    postThreadMessage: outbound.postThreadMessage,
    postChannelMessage: outbound.postChannelMessage,
    sendPrivate: (user, text, context) => outbound.sendPrivate(user, text, asReplyContext(context)),
    isApprover: (user) => approvers.check(user.id),
    rateBuckets: slackRateBuckets,
    approvalHint: () => 'React ✅ to approve or ❌ to reject, or use the buttons.',
  };
}

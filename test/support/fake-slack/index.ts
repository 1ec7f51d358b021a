import { randomBytes } from 'node:crypto';
import { ApiServer } from './api-server.js';
import { RateLimiter, type RateLimitOptions } from './rate-limits.js';
import { ResponseUrls } from './response-urls.js';
import { slackSide } from './slack-side.js';
import { SocketModeServer } from './socket-mode.js';
import { FakeSlackState } from './state.js';
import type { FakeChannel, FakeFailure, FakeUser, FakeUsergroup } from './types.js';
import { chatMethods } from './web-api-chat.js';
import { readMethods } from './web-api-reads.js';

export type { DeliveryOptions, DeliveryResult } from './http-delivery.js';
export { slackSignature } from './http-delivery.js';
export { MAX_BLOCKS, MAX_TEXT } from './message-content.js';
export type { BlockActionFields, SlashCommandFields } from './payloads.js';
export { METHOD_TIERS, type RateLimitOptions, type RateRule, TIERS } from './rate-limits.js';
export { RESPONSE_URL_MAX_USES, RESPONSE_URL_TTL_MS } from './response-urls.js';
export type { EnvelopeOptions, EnvelopeType } from './socket-mode.js';
export { FakeSlackState, toSlackJson } from './state.js';
export type * from './types.js';

/** Options of {@link startFakeSlack}; every field has a default. */
export interface FakeSlackOptions {
  /** @defaultValue 0 (a free port) */
  port?: number;
  /** @defaultValue random `xoxb-…` */
  botToken?: string;
  /** @defaultValue random `xapp-…` */
  appToken?: string;
  /** @defaultValue random hex */
  signingSecret?: string;
  teamId?: string;
  teamDomain?: string;
  appId?: string;
  botId?: string;
  botUserId?: string;
  /** @defaultValue 'octofleet' */
  botName?: string;
  /** @defaultValue `[{ id: 'C0DEPLOYS01', name: 'deploys' }]` */
  channels?: FakeChannel[];
  /** @defaultValue an operator `U0OPERATOR1` and an approver `U0APPROVER1` */
  users?: FakeUser[];
  /** @defaultValue `[{ id: 'S0APPROVERS', handle: 'approvers', users: ['U0APPROVER1'] }]` */
  usergroups?: FakeUsergroup[];
  /** `false` turns rate limiting off. @defaultValue Slack's limits, see rate-limits.ts */
  rateLimits?: RateLimitOptions | false;
  /** Milliseconds clock for message ts, rate limits and response_url expiry. @defaultValue Date.now */
  clock?: () => number;
  /** Server pings on Socket Mode connections; 0 turns them off. @defaultValue 10000 */
  socketPingIntervalMs?: number;
}

/** A running fake Slack; README.md in this folder walks through it. */
export type FakeSlack = Awaited<ReturnType<typeof startFakeSlack>>;

const DEFAULT_CHANNELS: FakeChannel[] = [{ id: 'C0DEPLOYS01', name: 'deploys' }];
const DEFAULT_USERS: FakeUser[] = [
  { id: 'U0OPERATOR1', name: 'operator', realName: 'Olga Operator' },
  { id: 'U0APPROVER1', name: 'approver', realName: 'Arne Approver' },
];

/** Starts the fake on 127.0.0.1 and answers its handle. Call `close()` when done. */
export async function startFakeSlack(opts: FakeSlackOptions = {}) {
  const clock = opts.clock ?? Date.now;
  const botToken = opts.botToken ?? `xoxb-1-${randomBytes(12).toString('hex')}`;
  const appToken = opts.appToken ?? `xapp-1-${randomBytes(12).toString('hex')}`;
  const signingSecret = opts.signingSecret ?? randomBytes(16).toString('hex');
  const verificationToken = randomBytes(12).toString('hex');
  const identity = {
    teamId: opts.teamId ?? 'T0FAKETEAM1',
    teamDomain: opts.teamDomain ?? 'octofleet-lab',
    appId: opts.appId ?? 'A0FAKEAPP01',
    botId: opts.botId ?? 'B0FAKEBOT01',
    botUserId: opts.botUserId ?? 'U0FAKEBOT01',
  };
  const state = new FakeSlackState(identity, clock);
  for (const c of opts.channels ?? DEFAULT_CHANNELS) state.addChannel(c);
  for (const u of opts.users ?? DEFAULT_USERS) state.users.set(u.id, u);
  state.users.set(identity.botUserId, {
    id: identity.botUserId,
    name: opts.botName ?? 'octofleet',
    isBot: true,
  });
  for (const g of opts.usergroups ?? [{ id: 'S0APPROVERS', handle: 'approvers', users: ['U0APPROVER1'] }]) {
    state.usergroups.set(g.id, g);
  }

  let baseUrl = '';
  const limiter =
    opts.rateLimits === false
      ? { take: () => undefined, reset() {} }
      : new RateLimiter(opts.rateLimits ?? {}, clock);
  const responseUrls = new ResponseUrls(state, () => baseUrl);
  const socket = new SocketModeServer(
    state,
    () => baseUrl.replace(/^http/, 'ws'),
    opts.socketPingIntervalMs ?? 10_000,
  );
  const server = new ApiServer({
    state,
    limiter,
    responseUrls,
    socket,
    methods: { ...chatMethods, ...readMethods },
    botToken,
    appToken,
  });
  const port = await server.listen(opts.port);
  let closing: Promise<void> | undefined;
  baseUrl = `http://127.0.0.1:${port}`;

  return {
    /** Pass as `clientOptions.slackApiUrl`. */
    apiUrl: `${baseUrl}/api/`,
    baseUrl,
    port,
    botToken,
    appToken,
    signingSecret,
    /** The deprecated verification token Slack still puts in payloads. */
    verificationToken,
    ...identity,
    state,

    ...slackSide({ state, responseUrls, socket, signingSecret, verificationToken }),
    /** Makes the next matching Web API request(s) fail: 5xx, `{ok:false,error}` or a reset connection. */
    failNext(failure: FakeFailure) {
      server.failures.push(failure);
    },
    /** Refills every rate-limit bucket. */
    resetRateLimits: () => limiter.reset(),
    waitFor: state.waitFor.bind(state),
    channelMessages: state.channelMessages.bind(state),
    thread: state.thread.bind(state),
    ephemeralsFor: state.ephemeralsFor.bind(state),

    /** Stops the fake; safe to call twice. */
    async close() {
      closing ??= (async () => {
        socket.close();
        await server.close();
      })();
      await closing;
    },
  };
}

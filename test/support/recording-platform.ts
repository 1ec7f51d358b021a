import { EventEmitter } from 'node:events';
import {
  DEFAULT_RATE_LIMITS,
  type DiscordRateLimits,
  rateBucketsFor,
} from '../../bot/discord/rate-limits.js';
import { slackRateBuckets } from '../../bot/slack/rate-limits.js';
import type { ChatCommand, ChatInbound, CommandReply } from '../../chat/chat-inbound.js';
import {
  type ChatAction,
  type ChatLocation,
  type ChatPlatform,
  type ChatUser,
  type PlatformName,
  type RateBucket,
  RateLimitedError,
  type ThreadMessage,
  type WithCard,
  type WithThread,
} from '../../chat/chat-platform.js';
import type { CardModel } from '../../chat/messages/card.js';
import { documentedLimits, type LimitEnforcer } from './documented-limits.js';

/** Threads and calls of a batch are recorded under minus its id. */
const subject = (ref: ChatLocation) => (ref.batchId ? -ref.batchId : ref.deploymentId);

/** The buckets each adapter declares to the notifier (bot/*\/rate-limits.ts), by platform. */
const ADAPTER_BUCKETS = {
  slack: () => (action: ChatAction, ref: ChatLocation) => slackRateBuckets(action, ref),
  discord: (limits: Partial<DiscordRateLimits> = {}) => {
    const all = { ...DEFAULT_RATE_LIMITS, ...limits };
    return (action: ChatAction, ref: ChatLocation) => rateBucketsFor(all, action, ref);
  },
  none: () => (): RateBucket[] => [],
};

export interface RecordedCall {
  action: ChatAction | 'sendPrivate';
  deploymentId: number | null;
  at: number;
  text?: string;
}

export interface RecordingPlatformOptions {
  name?: PlatformName;
  /**
   * Whose limits the platform enforces (as documented, test/support/documented-limits.ts) and whose
   * buckets it declares to the notifier (the real adapter's table). @defaultValue `discord`
   */
  limits?: 'slack' | 'discord' | 'none';
  /** Default channel for cards; `null` for none (cards go where the command was typed). @defaultValue `C-deploys` */
  channel?: string | null;
  approvers?: string[];
  /** Users whose approver check throws (fail-closed tests). */
  brokenApprovers?: string[];
  /**
   * Discord limits the adapter declares instead of its defaults (its `rateLimits` option: an operator
   * who keeps more of the bot's budget for other work). The platform still enforces its documented ones.
   */
  discordLimits?: Partial<DiscordRateLimits>;
  /** Simulated API latency per call. @defaultValue 0 */
  latencyMs?: number;
  /** Multiplies every limit's window (0.1: Slack's 1 message/s becomes 1 per 100 ms). @defaultValue 1 */
  timeScale?: number;
  /** Called with every call before it takes effect; a returned promise holds the call (crash tests). */
  onCall?: (call: RecordedCall) => void | Promise<void>;
}

/**
 * A chat platform for tests: keeps what each channel and thread shows, enforces the documented rate
 * limits itself (429 as {@link RateLimitedError}, counted in `rateLimited`), and lets a test type
 * commands and react to cards as a user would.
 */
export class RecordingPlatform implements ChatPlatform {
  readonly name: PlatformName;
  readonly defaultChannel: string | undefined;
  readonly maxMessageLength = 2000;
  readonly events = new EventEmitter();
  readonly calls: RecordedCall[] = [];
  /** Card message id → latest card and every version it had. */
  readonly cards = new Map<string, { channelId: string; card: CardModel; versions: CardModel[] }>();
  /** Channel id → channel digests (messages outside any thread), in order. */
  readonly channelMessages = new Map<string, string[]>();
  /** Deployment id → thread messages, in order. */
  readonly threads = new Map<number, string[]>();
  readonly threadsOpened: number[] = [];
  readonly privateMessages: { user: ChatUser; text: string }[] = [];
  rateLimited = 0;
  /** When the last 429 was answered. */
  lastRateLimitedAt: number | undefined;
  /** Errors the next calls of an action throw, in order (a 429 the limits alone would not cause, a 500). */
  readonly failures: { action: ChatAction; error: Error }[] = [];
  private inbound?: ChatInbound;
  private readonly approvers: Set<string>;
  private readonly enforce: LimitEnforcer;
  private readonly declared: (action: ChatAction, ref: ChatLocation) => RateBucket[];

  constructor(private readonly opts: RecordingPlatformOptions = {}) {
    this.name = opts.name ?? 'discord';
    this.defaultChannel = opts.channel === null ? undefined : (opts.channel ?? 'C-deploys');
    this.approvers = new Set(opts.approvers ?? ['bob', 'carol']);
    const scale = opts.timeScale ?? 1;
    const platform = opts.limits ?? 'discord';
    this.enforce = documentedLimits(platform, scale);
    const table = ADAPTER_BUCKETS[platform](opts.discordLimits);
    this.declared = (action, ref) => table(action, ref).map((b) => ({ ...b, windowMs: b.windowMs * scale }));
    this.events.setMaxListeners(1000);
  }

  async start(inbound?: ChatInbound) {
    this.inbound = inbound;
  }
  async stop() {
    this.inbound = undefined;
  }

  /** The real adapter's buckets: what the notifier believes the platform allows. */
  rateBuckets(action: ChatAction, ref: ChatLocation): RateBucket[] {
    return this.declared(action, ref);
  }

  async postCard(channelId: string, card: CardModel) {
    await this.enter(
      'postCard',
      { deploymentId: card.deploymentId, channelId, cardMessageId: null, threadId: null },
      card.statusLine,
    );
    const messageId = `M${card.batch ? `b${card.batch.id}` : card.deploymentId}-${this.cards.size}`;
    this.cards.set(messageId, { channelId, card, versions: [card] });
    this.done('postCard', card.batch ? -card.batch.id : card.deploymentId, card.statusLine);
    return { messageId };
  }

  async updateCard(ref: WithCard, card: CardModel) {
    await this.enter('updateCard', ref, card.statusLine);
    const entry = this.cards.get(ref.cardMessageId);
    if (!entry) throw new Error(`unknown card ${ref.cardMessageId}`);
    entry.card = card;
    entry.versions.push(card);
    this.done('updateCard', subject(ref), card.statusLine);
  }

  async ensureThread(ref: WithCard, title: string) {
    await this.enter('createThread', ref, title);
    if (!this.threads.has(subject(ref))) {
      this.threads.set(subject(ref), []);
      this.threadsOpened.push(subject(ref));
    }
    this.done('createThread', subject(ref));
    return { threadId: `T${ref.cardMessageId}` };
  }

  async postThreadMessage(ref: WithThread, message: ThreadMessage) {
    await this.enter('postThreadMessage', ref, message.text);
    if (message.text.length > this.maxMessageLength) throw new Error('message too long');
    this.threads.get(subject(ref))!.push(message.text);
    this.done('postThreadMessage', subject(ref), message.text);
  }

  async postChannelMessage(channelId: string, message: ThreadMessage) {
    await this.enter(
      'postChannelMessage',
      { deploymentId: 0, channelId, cardMessageId: null, threadId: null },
      message.text,
    );
    if (message.text.length > this.maxMessageLength) throw new Error('message too long');
    const list = this.channelMessages.get(channelId) ?? [];
    list.push(message.text);
    this.channelMessages.set(channelId, list);
    this.done('postChannelMessage', 0, message.text);
  }

  async sendPrivate(user: ChatUser, text: string) {
    this.privateMessages.push({ user, text });
    this.record({ action: 'sendPrivate', deploymentId: null, at: Date.now(), text });
  }

  async isApprover(user: ChatUser) {
    if (this.opts.brokenApprovers?.includes(user.id)) throw new Error('approver directory unavailable');
    return this.approvers.has(user.id);
  }

  /** Types a command as `user` (`/deploy mac:… os:…`), as the adapter would hand it over. */
  command(
    user: string,
    line: string,
    channelId = this.defaultChannel ?? 'C-typed-here',
  ): Promise<CommandReply> {
    const [name = '', ...rest] = line.replace(/^\//, '').split(/\s+/);
    const cmd: ChatCommand = {
      platform: this.name,
      user: { id: user, name: user },
      channelId,
      name,
      text: rest.join(' '),
    };
    return this.inboundOrThrow().command(cmd);
  }

  /** ✅ or ❌ on a card, as `user`. */
  react(user: string, cardMessageId: string, verdict: 'approve' | 'reject'): Promise<CommandReply> {
    return this.inboundOrThrow().decision({
      platform: this.name,
      user: { id: user, name: user },
      verdict,
      cardMessageId,
    });
  }

  /** The card message of a deployment. */
  cardOf(
    deploymentId: number,
  ): { messageId: string; channelId: string; card: CardModel; versions: CardModel[] } | undefined {
    for (const [messageId, entry] of this.cards)
      if (entry.card.deploymentId === deploymentId) return { messageId, ...entry };
    return undefined;
  }

  /** The card message of a batch. */
  batchCardOf(batchId: number): { messageId: string; card: CardModel; versions: CardModel[] } | undefined {
    for (const [messageId, entry] of this.cards)
      if (entry.card.batch?.id === batchId) return { messageId, ...entry };
    return undefined;
  }

  /** The messages of a batch's thread, in order. */
  batchThread(batchId: number): string[] {
    return this.threads.get(-batchId) ?? [];
  }

  /** Every line of a deployment's thread (messages may carry several). */
  threadLines(deploymentId: number): string[] {
    return (this.threads.get(deploymentId) ?? []).flatMap((m) => m.split('\n'));
  }

  /** Resolves once `check()` holds, re-checking after every call; rejects after `timeoutMs`. */
  waitFor(check: () => boolean, what = 'condition', timeoutMs = 15_000): Promise<void> {
    if (check()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const onCall = () => {
        if (!check()) return;
        cleanup();
        resolve();
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`timed out waiting for ${what}`));
      }, timeoutMs);
      const cleanup = () => {
        clearTimeout(timer);
        this.events.off('call', onCall);
      };
      this.events.on('call', onCall);
    });
  }

  private inboundOrThrow(): ChatInbound {
    if (!this.inbound) throw new Error('platform not started with an inbound handler');
    return this.inbound;
  }

  /** Enforces the platform's documented limits (test/support/documented-limits.ts), then simulates latency. */
  private async enter(action: ChatAction, loc: ChatLocation, text: string) {
    await this.opts.onCall?.({ action, deploymentId: subject(loc), at: Date.now(), text });
    const injected = this.failures.findIndex((f) => f.action === action);
    if (injected >= 0) {
      const { error } = this.failures.splice(injected, 1)[0]!;
      if (error instanceof RateLimitedError) {
        this.rateLimited++;
        this.lastRateLimitedAt = Date.now();
      }
      throw error;
    }
    const refused = this.enforce(action, loc);
    if (refused) {
      this.rateLimited++;
      this.lastRateLimitedAt = Date.now();
      // The platform names its own bucket; the notifier then waits on the call's declared buckets.
      throw new RateLimitedError(refused.retryAfterMs, this.declared(action, loc)[0]?.key);
    }
    if (this.opts.latencyMs) await new Promise((r) => setTimeout(r, this.opts.latencyMs));
  }

  private done(action: ChatAction, deploymentId: number, text?: string) {
    this.record({ action, deploymentId, at: Date.now(), text });
  }

  private record(call: RecordedCall) {
    this.calls.push(call);
    this.events.emit('call', call);
  }
}

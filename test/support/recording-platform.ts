import { EventEmitter } from 'node:events';
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

/** Limits as the platforms document them (docs/testing.md, "Chat without the internet"). */
export const LIMITS = {
  /** chat.postMessage ~1/s per channel, threads included; chat.update Tier 3 (~50/min per workspace). */
  slack: (loc: ChatLocation, action: ChatAction): RateBucket[] => {
    if (action === 'postCard' || action === 'postThreadMessage')
      return [{ key: `slack:post:${loc.channelId}`, limit: 1, windowMs: 1000 }];
    if (action === 'updateCard') return [{ key: 'slack:update', limit: 50, windowMs: 60_000 }];
    return [];
  },
  /** 5 messages per 5 s per channel (a thread is its own channel), edits likewise, 50 requests/s per bot. */
  discord: (loc: ChatLocation, action: ChatAction): RateBucket[] => {
    const global = { key: 'discord:global', limit: 50, windowMs: 1000 };
    if (action === 'postThreadMessage')
      return [{ key: `discord:post:${loc.threadId}`, limit: 5, windowMs: 5000 }, global];
    if (action === 'postCard')
      return [{ key: `discord:post:${loc.channelId}`, limit: 5, windowMs: 5000 }, global];
    if (action === 'updateCard')
      return [{ key: `discord:edit:${loc.channelId}`, limit: 5, windowMs: 5000 }, global];
    return [{ key: `discord:thread:${loc.channelId}`, limit: 50, windowMs: 1000 }, global];
  },
  none: (): RateBucket[] => [],
} as const;

export interface RecordedCall {
  action: ChatAction | 'sendPrivate';
  deploymentId: number | null;
  at: number;
  text?: string;
}

export interface RecordingPlatformOptions {
  name?: PlatformName;
  limits?: keyof typeof LIMITS;
  /** Default channel for cards; `null` for none (cards go where the command was typed). @defaultValue `C-deploys` */
  channel?: string | null;
  approvers?: string[];
  /** Users whose approver check throws (fail-closed tests). */
  brokenApprovers?: string[];
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
  private readonly log = new Map<string, number[]>();
  private readonly approvers: Set<string>;
  private readonly limitsOf: (loc: ChatLocation, action: ChatAction) => RateBucket[];

  constructor(private readonly opts: RecordingPlatformOptions = {}) {
    this.name = opts.name ?? 'discord';
    this.defaultChannel = opts.channel === null ? undefined : (opts.channel ?? 'C-deploys');
    this.approvers = new Set(opts.approvers ?? ['bob', 'carol']);
    const scale = opts.timeScale ?? 1;
    const limits = LIMITS[opts.limits ?? 'discord'];
    this.limitsOf = (loc, action) => limits(loc, action).map((b) => ({ ...b, windowMs: b.windowMs * scale }));
    this.events.setMaxListeners(1000);
  }

  async start(inbound?: ChatInbound) {
    this.inbound = inbound;
  }
  async stop() {
    this.inbound = undefined;
  }

  rateBuckets(action: ChatAction, ref: ChatLocation): RateBucket[] {
    return this.limitsOf(ref, action);
  }

  async postCard(channelId: string, card: CardModel) {
    await this.enter(
      'postCard',
      { deploymentId: card.deploymentId, channelId, cardMessageId: null, threadId: null },
      card.statusLine,
    );
    const messageId = `M${card.deploymentId}-${this.cards.size}`;
    this.cards.set(messageId, { channelId, card, versions: [card] });
    this.done('postCard', card.deploymentId, card.statusLine);
    return { messageId };
  }

  async updateCard(ref: WithCard, card: CardModel) {
    await this.enter('updateCard', ref, card.statusLine);
    const entry = this.cards.get(ref.cardMessageId);
    if (!entry) throw new Error(`unknown card ${ref.cardMessageId}`);
    entry.card = card;
    entry.versions.push(card);
    this.done('updateCard', ref.deploymentId, card.statusLine);
  }

  async ensureThread(ref: WithCard, title: string) {
    await this.enter('createThread', ref, title);
    if (!this.threads.has(ref.deploymentId)) {
      this.threads.set(ref.deploymentId, []);
      this.threadsOpened.push(ref.deploymentId);
    }
    this.done('createThread', ref.deploymentId);
    return { threadId: `T${ref.cardMessageId}` };
  }

  async postThreadMessage(ref: WithThread, message: ThreadMessage) {
    await this.enter('postThreadMessage', ref, message.text);
    if (message.text.length > this.maxMessageLength) throw new Error('message too long');
    this.threads.get(ref.deploymentId)!.push(message.text);
    this.done('postThreadMessage', ref.deploymentId, message.text);
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

  /** Enforces the limits (a sliding window, as strict as either platform's model), then simulates latency. */
  private async enter(action: ChatAction, loc: ChatLocation, text: string) {
    await this.opts.onCall?.({ action, deploymentId: loc.deploymentId, at: Date.now(), text });
    const injected = this.failures.findIndex((f) => f.action === action);
    if (injected >= 0) {
      const { error } = this.failures.splice(injected, 1)[0]!;
      if (error instanceof RateLimitedError) {
        this.rateLimited++;
        this.lastRateLimitedAt = Date.now();
      }
      throw error;
    }
    const now = Date.now();
    const buckets = this.limitsOf(loc, action);
    for (const b of buckets) {
      const recent = (this.log.get(b.key) ?? []).filter((t) => t > now - b.windowMs);
      this.log.set(b.key, recent);
      if (recent.length >= b.limit) {
        this.rateLimited++;
        this.lastRateLimitedAt = now;
        throw new RateLimitedError(recent[recent.length - b.limit]! + b.windowMs - now, b.key);
      }
    }
    for (const b of buckets) this.log.get(b.key)!.push(now);
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

/**
 * The contract between Octofleet and one chat platform (Discord, Slack, the shell). Thin on purpose, as
 * Hubot's `Adapter` is: an adapter only translates. Everything above this line (parsing commands, rules,
 * rendering content, rate limiting, ordering, retries) is shared.
 *
 * Outbound calls come from the notifier in the worker; inbound events go to the {@link ChatInbound} that
 * `createBot` hands to {@link ChatPlatform.start}.
 */

import type { ChatInbound } from './chat-inbound.js';
import type { ChatUser, PlatformName } from './chat-user.js';
import type { MessagePriority } from './message-priority.js';
import type { CardModel } from './messages/card.js';

export type { ChatUser, PlatformName } from './chat-user.js';
export type { MessagePriority } from './message-priority.js';

/** Where a deployment lives on this platform (a `chat_ref` row as the adapter sees it). */
export interface ChatLocation {
  /** 0 for a batch's card and thread (then `batchId` is set). */
  deploymentId: number;
  batchId?: number;
  channelId: string;
  cardMessageId: string | null;
  threadId: string | null;
}

export type WithCard = ChatLocation & { cardMessageId: string };
export type WithThread = WithCard & { threadId: string };

/** One reply in a deployment's thread. */
export interface ThreadMessage {
  /**
   * Plain text, one or more lines, no markup: adapters escape it for their syntax (Slack `& < >`,
   * Discord markdown) and must not let it mention anyone (Discord `allowed_mentions: {parse: []}`).
   * Never longer than the platform's `maxMessageLength`.
   */
  text: string;
  /**
   * Stable id of this message's content (the event ids it carries). Posting the same key twice means a
   * retry after a crash; an adapter whose API can deduplicate (Discord `nonce` + `enforce_nonce`) should
   * use it.
   */
  key: string;
  priority: MessagePriority;
}

/** The outbound calls the notifier makes, for {@link ChatPlatform.rateBuckets}. */
export type ChatAction =
  | 'postCard'
  | 'updateCard'
  | 'createThread'
  | 'postThreadMessage'
  | 'postChannelMessage';

/**
 * A platform rate limit: at most `limit` calls in any `windowMs` span for calls sharing `key`. The
 * notifier enforces every bucket an action names, across all worker processes (in Redis).
 */
export interface RateBucket {
  /** E.g. `slack:post:C123` (per channel, threads included) or `discord:global`. */
  key: string;
  limit: number;
  windowMs: number;
}

/** Thrown by an adapter when the platform answered 429; the notifier waits `retryAfterMs` and retries. */
export class RateLimitedError extends Error {
  override name = 'RateLimitedError';
  constructor(
    readonly retryAfterMs: number,
    /** The bucket the platform named, if any (a {@link RateBucket.key}); all the call's buckets wait otherwise. */
    readonly bucket?: string,
  ) {
    super(`rate limited; retry after ${retryAfterMs} ms`);
  }
}

export interface ChatPlatform {
  readonly name: PlatformName;
  /**
   * Channel for cards of deployments not requested on this platform's chat (the admin API), and the
   * channel commands' cards go to when set (`DISCORD_CHANNEL_ID`, `SLACK_CHANNEL_ID`). Undefined: a card
   * goes to the channel the command was typed in.
   */
  readonly defaultChannel?: string;
  /** Longest thread message text the platform accepts; longer content is split. */
  readonly maxMessageLength: number;

  /**
   * Connects. With `inbound`, also listens for commands and decisions and hands them over (the bot role);
   * without, only outbound calls are needed (a worker-only process). Called once per process.
   */
  start(inbound?: ChatInbound): Promise<void>;
  /** Disconnects; pending inbound handling may finish. */
  stop(): Promise<void>;

  /** Posts a deployment's card; the returned id is stored and identifies the card for reactions. */
  postCard(channelId: string, card: CardModel): Promise<{ messageId: string }>;
  /** Replaces the card's content (state, progress, outcome). */
  updateCard(ref: WithCard, card: CardModel): Promise<void>;
  /**
   * Opens the thread under the card, or returns the existing one (idempotent: a retry after a crash must
   * not open a second thread; Discord answers 160004 for that, Slack threads are the card's `ts`).
   */
  ensureThread(ref: WithCard, title: string): Promise<{ threadId: string }>;
  /** Posts one reply in the thread. The notifier keeps order: never two in flight for one thread. */
  postThreadMessage(ref: WithThread, message: ThreadMessage): Promise<void>;
  /**
   * Posts a message in the channel itself, outside any thread: the channel digest, several deployments'
   * lines at once while the channel is saturated (worker/notifier/channel-notifier.ts). Same text rules
   * and `key` as a thread message. Without it a platform never switches to digests.
   */
  postChannelMessage?(channelId: string, message: ThreadMessage): Promise<void>;
  /**
   * Tells one user something nobody else may see (generated passwords): an ephemeral reply or a DM.
   * `context` is the {@link ChatCommand.context} of the command being answered, when there is one.
   * Must not log `text`.
   */
  sendPrivate(user: ChatUser, text: string, context?: unknown): Promise<void>;
  /** Whether the user may approve. Checked at decision time; a throw counts as "no" (fail closed). */
  isApprover(user: ChatUser): Promise<boolean>;
  /** The rate limits an outbound call counts against; `[]` when none apply. */
  rateBuckets(action: ChatAction, ref: ChatLocation): RateBucket[];
  /** The card's "how to approve" line. @defaultValue `React ✅ to approve or ❌ to reject.` */
  approvalHint?(deploymentId: number, batchId?: number): string;
}

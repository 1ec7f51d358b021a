import type {
  ChatLocation,
  ChatPlatform,
  MessagePriority,
  PlatformName,
  WithCard,
} from '../../chat/chat-platform.js';
import { cardFor, imageOf } from '../../chat/messages/card-source.js';
import { priorityOfState } from '../../chat/messages/labels.js';
import type { ChatRef } from '../../core/chat/chat-ref.entity.js';
import { ChatRefRepository } from '../../core/chat/chat-ref-repository.js';
import type { Core } from '../../core/create-core.js';
import type { Deployment } from '../../core/deployments/deployment.entity.js';
import { type DeploymentState, isTerminal } from '../../core/deployments/lifecycle.js';
import { machineToPower } from '../../core/power/power-sequence.js';
import type { BoardStore } from './board-store.js';
import type { CardCache } from './card-cache.js';
import { chatCall, Wait } from './chat-call.js';
import type { DeploymentLocks } from './deployment-lock.js';
import type { DigestMode } from './digest-mode.js';
import { planThread, planUrgency } from './plan.js';
import type { RateLimiter } from './rate-limiter.js';
import { postPlanned, type ThreadTarget } from './thread-poster.js';
import { mostPressing, type Urgency } from './urgency.js';

export interface NotifierDeps {
  core: Core;
  platforms: Map<PlatformName, ChatPlatform>;
  limiter: RateLimiter;
  cards: CardCache;
  locks: DeploymentLocks;
  /** How long to wait for the bot to record a fresh request's channel. @defaultValue 10 s */
  refGraceMs?: number;
  /** Channels in digest mode; without it (and {@link wakeChannel}) no channel ever switches. */
  digests?: DigestMode;
  /** Wakes a channel's digest run (now when `urgent`, else after a short window that gathers lines). */
  wakeChannel?: (platform: PlatformName, channelId: string, urgent: boolean) => Promise<void>;
  /** Channels showing a board; without it (and {@link wakeBoard}) no channel ever shows one. */
  boards?: BoardStore;
  /** Wakes a channel's board run (worker/notifier/channel-board.ts), at once when `urgent` (a machine finished). */
  wakeBoard?: (platform: PlatformName, channelId: string, urgent: boolean) => Promise<void>;
}

/**
 * How long a thread message may have to wait before its channel switches to digests, in turns of its
 * slowest bucket: a few messages queued ahead of it (Slack: three seconds of one message a second).
 * Only a queue counts: a wait as long from a 429's retry-after, with nobody queued, is no backlog.
 */
export const DIGEST_AFTER_TURNS = 3;

/**
 * How many turns of card edits may queue in a channel before it shows a board (one card redrawn for
 * all its deployments, worker/notifier/channel-board.ts): the deployments' own cards keep going too.
 */
export const BOARD_AFTER_TURNS = 2;

/** The wait past which a thread message's channel switches to digests (see {@link DIGEST_AFTER_TURNS}). */
export function digestAfterMs(buckets: { limit: number; windowMs: number }[]): number {
  return DIGEST_AFTER_TURNS * Math.max(0, ...buckets.map((b) => b.windowMs / b.limit));
}

/** What one notifier run achieved; the processor maps it onto BullMQ. */
export type NotifyOutcome =
  | { kind: 'done'; messages: number; cardCalls: number }
  /** Another worker holds this deployment: try again shortly (it may have missed our events). */
  | { kind: 'busy' }
  /** A rate limit or a fresh request's missing channel: come back in `ms`. */
  | { kind: 'wait'; ms: number; priority: MessagePriority }
  /** No platform running here can show this deployment. */
  | { kind: 'unroutable' }
  /** A member of a batch of several: the batch's card and thread show it; wake the batch's notifier. */
  | { kind: 'batch'; batchId: number; urgent: boolean };

/**
 * Brings one deployment's chat up to date: posts its card if missing, posts unposted events to its
 * thread in order (or, while its channel is in digest mode, wakes the channel's digest run to carry
 * them), edits the card when its content changed, and marks events posted.
 *
 * Delivery is at-least-once, per message: a message is marked posted right after the platform accepted
 * it, under a per-deployment Postgres lock, so two workers never post the same event, and a crash can
 * repeat at most the one message that was in flight (adapters may deduplicate it by `message.key`).
 * Never waits for a rate limit while holding the lock: it returns `wait` instead.
 */
export async function notifyDeployment(deps: NotifierDeps, deploymentId: number): Promise<NotifyOutcome> {
  // A member of a batch of several is shown by its batch: one light query, no lock (its events are
  // only ever posted by the batch's run, under the batch's lock).
  const member = await batchOf(deps, deploymentId);
  if (member) return member;
  const held = await deps.locks.withLock(deploymentId, async () => {
    try {
      return await run(deps, deploymentId);
    } catch (error) {
      if (error instanceof Wait) return { kind: 'wait', ms: error.ms, priority: error.priority } as const;
      throw error;
    }
  });
  return held.locked ? held.value : { kind: 'busy' };
}

async function run(deps: NotifierDeps, deploymentId: number): Promise<NotifyOutcome> {
  const { core } = deps;
  const repo = core.deployments.repository();
  // Events first: the deployment row read after them is at least as new, so every event renders with
  // the facts it brought (a booting event with its firmware). Newer events wait for the next run.
  const events = await repo.events(deploymentId);
  const d = await repo.get(deploymentId);
  const refs = new ChatRefRepository(core.orm.em.fork());
  const ref = await routeOf(deps, refs, d);
  if (!ref) return { kind: 'unroutable' };
  const platform = deps.platforms.get(ref.platform)!;
  const loc: ChatLocation = { ...ref, deploymentId };
  const call = chatCall(deps.limiter, platform, loc);

  const card = await cardFor(core.deployments, d, platform);
  let cardCalls = 0;
  if (!loc.cardMessageId) {
    // Without its card nobody can approve a request, and nothing else of it can be shown: it goes first.
    const { messageId } = await call('postCard', { priority: 'final', since: d.createdAt.getTime() }, () =>
      platform.postCard(loc.channelId, card),
    );
    await refs.setCardMessage(ref.id, messageId);
    loc.cardMessageId = messageId;
    await deps.cards.remember(platform.name, card);
    cardCalls++;
  }
  // The same object the chat calls read their buckets from: once the thread is open, its posts count
  // against the thread's own bucket (Discord) from the very next call.
  const withCard = loc as WithCard;

  const image = await imageOf(core.deployments, d.os);
  // Only the approval line depends on it: ask the inventory only while that line is still to post.
  const approvalUnposted = events.some((e) => e.stage === 'approved' && !e.postedAt);
  const bmc = approvalUnposted ? ((await machineToPower(core, d.mac))?.bmc?.driver ?? null) : null;
  const plan = planThread(d, events, { family: image.family, bmc }, platform.maxMessageLength);
  const thread: ThreadTarget = {
    platform,
    call,
    loc: withCard,
    title: card.title,
    saveThread: (threadId) => refs.setThread(ref.id, threadId),
  };
  let threadWait: Wait | null = null;
  const urgency = planUrgency(plan, QUIET);
  const digests = deps.digests && deps.wakeChannel && platform.postChannelMessage ? deps.digests : null;
  // In digest mode the channel's digest run carries the lines (under this deployment's lock too).
  let handedOver = plan.messages.length > 0 && (await digests?.isOn(platform.name, loc.channelId)) === true;
  try {
    if (!handedOver) await postPlanned(thread, plan.messages, urgency, (ids) => repo.markPosted(ids));
  } catch (error) {
    if (!(error instanceof Wait)) throw error;
    const threadBuckets = platform.rateBuckets('postThreadMessage', thread.loc);
    const backlog =
      digests && threadBuckets.length && error.ms >= digestAfterMs(threadBuckets)
        ? await deps.limiter.backlog(threadBuckets)
        : 0;
    if (digests && backlog >= DIGEST_AFTER_TURNS) {
      // A backlog this long means the channel cannot give every deployment its own messages: switch it
      // to digests, where one message carries many deployments' lines.
      if (await digests.switchOn(platform.name, loc.channelId)) {
        core.logger.info(
          {
            platform: platform.name,
            channelId: loc.channelId,
            deploymentId: d.id,
            waitMs: error.ms,
            backlog: Object.fromEntries(
              await Promise.all(threadBuckets.map(async (b) => [b.key, await deps.limiter.backlog([b])])),
            ),
          },
          'channel switched to digests: its thread messages queue several turns deep',
        );
      }
      handedOver = true;
    } else {
      // The thread's channel is saturated; card edits often count against another limit (Slack's
      // chat.update), so the card can still show the news now while the thread catches up.
      threadWait = error;
    }
  }
  if (handedOver) {
    // A claim queued before the switch would hold the channel's queue until its turn passed.
    await deps.limiter.release(
      platform.rateBuckets('postThreadMessage', thread.loc),
      `d${d.id}:postThreadMessage`,
    );
    await deps.wakeChannel!(platform.name, loc.channelId, urgency.priority === 'final');
  }

  if (!(await deps.cards.isCurrent(platform.name, card))) {
    // A card edit is as urgent as the news it carries: a new state, or only a percentage. A finished
    // deployment's card stays final news until it shows it, also once its thread line went out first
    // (then no unposted event carries that urgency any more).
    const news = events
      .filter((e) => !e.postedAt)
      .map((e) => ({ priority: priorityOfState(e.state), since: e.receivedAt.getTime() }));
    if (isTerminal(d.status))
      news.push({ priority: 'final', since: (d.finishedAt ?? d.createdAt).getTime() });
    try {
      await call('updateCard', mostPressing(news, QUIET), () => platform.updateCard(withCard, card));
      await deps.cards.remember(platform.name, card);
      cardCalls++;
    } catch (error) {
      if (!(error instanceof Wait)) throw error;
      await showOnBoardIfSaturated(deps, platform, withCard, isTerminal(d.status));
      if (!threadWait) throw error;
    }
  }
  if (threadWait) throw threadWait;
  await repo.markPosted(plan.cardOnly);
  return { kind: 'done', messages: handedOver ? 0 : plan.messages.length, cardCalls };
}

/**
 * A card edit that has to wait behind {@link BOARD_AFTER_TURNS} turns of other cards' edits means the
 * channel cannot show its deployments' news card by card in time: put its board up (or keep it up).
 * A finished machine wakes the board's run also when it waits for a later turn: its redraw is final news.
 */
async function showOnBoardIfSaturated(
  deps: NotifierDeps,
  platform: ChatPlatform,
  loc: WithCard,
  finished: boolean,
) {
  if (!deps.boards || !deps.wakeBoard) return;
  const backlog = await deps.limiter.backlog(platform.rateBuckets('updateCard', loc));
  if (backlog < BOARD_AFTER_TURNS) return;
  if (await deps.boards.switchOn(platform.name, loc.channelId)) {
    deps.core.logger.info(
      { platform: platform.name, channelId: loc.channelId, backlog },
      'channel board up: card edits queue several turns deep',
    );
  }
  await deps.wakeBoard(platform.name, loc.channelId, finished);
}

/**
 * The urgency of a call that carries no news of its own (a card redrawn after a Redis flush): progress,
 * as young as it gets. Not stable across retries, but nothing that matters waits behind it.
 */
const QUIET: Urgency = { priority: 'progress', since: Number.MAX_SAFE_INTEGER };

/** The batch that shows this deployment (a batch of several), with whether its news is final. */
async function batchOf(deps: NotifierDeps, deploymentId: number): Promise<NotifyOutcome | null> {
  const { rows } = await deps.core.sql.query<{ batch_id: number; status: DeploymentState }>(
    `select d."batch_id", d."status" from "deployment" d join "batch" b on b."id" = d."batch_id"
     where d."id" = $1 and b."size" > 1`,
    [deploymentId],
  );
  const row = rows[0];
  return row ? { kind: 'batch', batchId: row.batch_id, urgent: isTerminal(row.status) } : null;
}

/**
 * Where this deployment is shown: its first chat reference on a platform running here. A deployment
 * requested on a platform with no reference yet (the bot records it right after the request) waits a
 * moment; one from the admin API goes to the first platform with a default channel.
 */
async function routeOf(deps: NotifierDeps, refs: ChatRefRepository, d: Deployment): Promise<ChatRef | null> {
  const existing = await refs.forDeployment(d.id);
  if (existing.length) return existing.find((r) => deps.platforms.has(r.platform)) ?? null;
  const own = deps.platforms.get(d.requestedBy.platform as PlatformName);
  if (own && Date.now() - d.createdAt.getTime() < (deps.refGraceMs ?? 10_000)) throw new Wait(200, 'state');
  const fallback = [own, ...deps.platforms.values()].find((p) => p?.defaultChannel);
  if (!fallback?.defaultChannel) return null;
  return refs.claim(d.id, fallback.name, fallback.defaultChannel);
}

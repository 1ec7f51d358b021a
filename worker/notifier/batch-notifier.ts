import type { ChatLocation, PlatformName, WithCard } from '../../chat/chat-platform.js';
import { buildBatchCard } from '../../chat/messages/batch-card.js';
import { imageOf } from '../../chat/messages/card-source.js';
import type { Batch } from '../../core/batches/batch.entity.js';
import type { BatchChatRef } from '../../core/batches/batch-chat-ref.entity.js';
import type { BatchRepository } from '../../core/batches/batch-repository.js';
import { DeploymentEvent } from '../../core/deployments/deployment-event.entity.js';
import { isTerminal } from '../../core/deployments/lifecycle.js';
import { batchSummary, planBatchThread } from './batch-plan.js';
import { batchCardUrgency, batchThreadUrgency } from './batch-urgency.js';
import { chatCall, Wait } from './chat-call.js';
import type { NotifierDeps, NotifyOutcome } from './notifier.js';
import { ensureThread, postPlanned, type ThreadTarget } from './thread-poster.js';
import { mostPressing, type Urgency } from './urgency.js';

/**
 * Brings one batch's chat up to date, like {@link notifyDeployment} does for one deployment: posts the
 * batch's one card if missing, posts its members' unposted state changes to its one thread as digest
 * lines (failures on their own line), edits the card when its content changed, posts the closing summary
 * once every member finished, and marks what went out. Under the batch's Postgres lock; each message is
 * marked posted right after the platform accepted it (at most the one in flight repeats after a crash,
 * and its `key` lets the adapter drop it).
 */
export async function notifyBatch(deps: NotifierDeps, batchId: number): Promise<NotifyOutcome> {
  const held = await deps.locks.withLock(
    batchId,
    async () => {
      try {
        return await run(deps, batchId);
      } catch (error) {
        if (error instanceof Wait) return { kind: 'wait', ms: error.ms, priority: error.priority } as const;
        throw error;
      }
    },
    'batch',
  );
  return held.locked ? held.value : { kind: 'busy' };
}

async function run(deps: NotifierDeps, batchId: number): Promise<NotifyOutcome> {
  const { core } = deps;
  const batches = core.batches.repository();
  const batch = await batches.get(batchId);
  const memberIds = (await batches.members(batchId)).map((m) => m.id);
  // Events first, then the rows: every event renders with the facts it brought (see notifyDeployment).
  const events = await core.orm.em
    .fork()
    .find(DeploymentEvent, { deploymentId: { $in: memberIds }, postedAt: null }, { orderBy: { id: 'asc' } });
  const members = await batches.members(batchId);
  const ref = await routeOf(deps, batches, batch);
  if (!ref) return { kind: 'unroutable' };
  const platform = deps.platforms.get(ref.platform)!;
  const loc: ChatLocation = { ...ref, deploymentId: 0, batchId };
  const call = chatCall(deps.limiter, platform, loc);

  const [image, decision] = await Promise.all([
    imageOf(core.deployments, batch.os),
    batches.decidedBy(batchId),
  ]);
  const card = buildBatchCard(batch, members, {
    imageName: image.name,
    editionLabel: batch.edition ? (image.editions?.[batch.edition]?.label ?? batch.edition) : null,
    decision: decision ? { verdict: decision.verdict, actorName: decision.actorName } : null,
    approvalHint: platform.approvalHint?.(0, batchId),
  });
  let cardCalls = 0;
  if (!loc.cardMessageId) {
    const { messageId } = await call(
      'postCard',
      { priority: 'final', since: batch.createdAt.getTime() },
      () => platform.postCard(loc.channelId, card),
    );
    await batches.setCardMessage(ref.id, messageId);
    loc.cardMessageId = messageId;
    await deps.cards.remember(platform.name, card);
    cardCalls++;
  }
  // The same object the chat calls read their buckets from: once the thread is open, its posts count
  // against the thread's own bucket (Discord) from the very next call.
  const withCard = loc as WithCard;

  const plan = planBatchThread(
    batchId,
    new Map(members.map((m) => [m.id, m])),
    events,
    platform.maxMessageLength,
  );
  const repo = core.deployments.repository();
  const allFinished = members.every((m) => isTerminal(m.status));
  const summaryDue = allFinished && !ref.summaryPostedAt && members.some((m) => m.approvedAt !== null);
  // The last machine to finish makes the summary final news as old as that machine's end.
  const lastEnd: Urgency = {
    priority: 'final',
    since: Math.max(...members.map((m) => (m.finishedAt ?? m.createdAt).getTime())),
  };
  const thread: ThreadTarget = {
    platform,
    call,
    loc: withCard,
    title: card.title,
    saveThread: (threadId) => batches.setThread(ref.id, threadId),
  };
  let threadWait: Wait | null = null;
  let posted = 0;
  const drawnAt = (await deps.cards.drawnAt(platform.name, card)) ?? 0;
  const inThread = new Set<string>();
  try {
    // Failures and finals carry the whole backlog's urgency: a digest queued before them must not hold
    // them back (the backlog goes out in order, in as few messages as fit).
    const lineIds = new Set(plan.messages.flatMap((m) => m.eventIds));
    const urgency = batchThreadUrgency(
      events.filter((e) => lineIds.has(e.id)),
      drawnAt,
      summaryDue ? lastEnd : QUIET_BATCH,
    );
    posted += await postPlanned(thread, plan.messages, urgency, async (ids) => {
      await repo.markPosted(ids);
      for (const id of ids) inThread.add(id);
    });
    if (summaryDue) {
      const withThread = await ensureThread(thread, lastEnd);
      await call('postThreadMessage', lastEnd, () =>
        platform.postThreadMessage(withThread, {
          text: batchSummary(batchId, members, platform.maxMessageLength),
          key: `b${batchId}-summary`,
          priority: 'final',
        }),
      );
      await batches.markSummaryPosted(ref.id);
      posted++;
    }
  } catch (error) {
    if (!(error instanceof Wait)) throw error;
    threadWait = error;
  }

  if (!(await deps.cards.isCurrent(platform.name, card))) {
    const news = batchCardUrgency(
      events.filter((e) => !inThread.has(e.id)),
      members.flatMap((m) => (m.finishedAt && m.finishedAt.getTime() > drawnAt ? [m.finishedAt] : [])),
      QUIET_BATCH,
    );
    // The card that closes a finished batch is final news itself: it is how the batch ends.
    const urgency = allFinished ? mostPressing([news, lastEnd], news) : news;
    try {
      await call('updateCard', urgency, () => platform.updateCard(withCard, card));
      await deps.cards.remember(platform.name, card);
      cardCalls++;
      // The card now shows what the thread is still waiting to post: withdraw the thread's claim, queued
      // as final news, so it comes back at its lower rank instead of holding a slot for seen news.
      if (threadWait) {
        await deps.limiter.release(
          platform.rateBuckets('postThreadMessage', thread.loc),
          `b${batchId}:postThreadMessage`,
        );
      }
    } catch (error) {
      if (!(error instanceof Wait) || !threadWait) throw error;
    }
  }
  if (threadWait) throw threadWait;
  await repo.markPosted(plan.cardOnly);
  return { kind: 'done', messages: posted, cardCalls };
}

/** The urgency of a batch run with no news of its own (see the single notifier's `QUIET`). */
const QUIET_BATCH: Urgency = { priority: 'progress', since: Number.MAX_SAFE_INTEGER };

/**
 * Where the batch is shown: its chat reference on a platform running here. A batch requested in chat
 * gets its reference from the bot right after the request (wait a moment for it); one from the admin
 * API goes to the first platform with a default channel.
 */
async function routeOf(
  deps: NotifierDeps,
  batches: BatchRepository,
  batch: Batch,
): Promise<BatchChatRef | null> {
  const existing = await batches.chatRefs(batch.id);
  if (existing.length) return existing.find((r) => deps.platforms.has(r.platform)) ?? null;
  const own = deps.platforms.get(batch.requestedBy.platform as PlatformName);
  if (own && Date.now() - batch.createdAt.getTime() < (deps.refGraceMs ?? 10_000))
    throw new Wait(200, 'state');
  const fallback = [own, ...deps.platforms.values()].find((p) => p?.defaultChannel);
  if (!fallback?.defaultChannel) return null;
  return batches.claim(batch.id, fallback.name, fallback.defaultChannel);
}

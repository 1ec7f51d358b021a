import { createHash } from 'node:crypto';
import type { ChatPlatform, PlatformName } from '../../chat/chat-platform.js';
import { imageOf } from '../../chat/messages/card-source.js';
import { ChatRefRepository } from '../../core/chat/chat-ref-repository.js';
import { Deployment } from '../../core/deployments/deployment.entity.js';
import { DeploymentEvent } from '../../core/deployments/deployment-event.entity.js';
import { machineToPower } from '../../core/power/power-sequence.js';
import { type PendingLines, planChannelDigest } from './channel-digest-plan.js';
import { chatCall, Wait } from './chat-call.js';
import type { NotifierDeps, NotifyOutcome } from './notifier.js';
import { planLines } from './plan.js';

/**
 * Brings a saturated channel's single deployments up to date with channel digests: every line waiting
 * in the channel goes out in as few messages as fit, the most pressing deployments first, marked posted
 * right after the platform accepted each (like a thread message; its `key` lets the adapter drop a
 * repeat after a crash). Holds the channel's digest lock and the lock of every deployment it carries, so
 * no deployment's own run posts the same events to its thread meanwhile; one that is busy waits for the
 * next digest. While digests merge several deployments it comes back every turn of the channel; once a
 * digest carried one deployment at most, the backlog drained and the channel switches back to threads.
 */
export async function notifyChannel(
  deps: NotifierDeps,
  platformName: PlatformName,
  channelId: string,
): Promise<NotifyOutcome> {
  const platform = deps.platforms.get(platformName);
  if (!platform?.postChannelMessage || !deps.digests) return { kind: 'unroutable' };
  const refs = new ChatRefRepository(deps.core.orm.em.fork());
  const candidates = await refs.singlesWithUnpostedEvents(platformName, channelId);
  const held = await deps.locks.withChannel(channelKey(platformName, channelId), candidates, async (ids) => {
    try {
      return await run(deps, platform, channelId, ids);
    } catch (error) {
      if (!(error instanceof Wait)) throw error;
      // Still saturated: stay in digest mode while the backlog waits.
      await deps.digests!.switchOn(platformName, channelId);
      return { kind: 'wait', ms: error.ms, priority: error.priority } as const;
    }
  });
  return held.locked ? held.value : { kind: 'busy' };
}

async function run(
  deps: NotifierDeps,
  platform: ChatPlatform,
  channelId: string,
  ids: number[],
): Promise<NotifyOutcome> {
  const pending = await pendingLines(deps, platform, ids);
  const loc = { deploymentId: 0, channelId, cardMessageId: null, threadId: null };
  const call = chatCall(deps.limiter, platform, loc, `c${channelId}`);
  const repo = deps.core.deployments.repository();
  let messages = 0;
  let widest = 0;
  for (;;) {
    const digest = planChannelDigest(pending, platform.maxMessageLength);
    if (!digest) break;
    await call('postChannelMessage', digest.urgency, () =>
      platform.postChannelMessage!(channelId, digest.message),
    );
    await repo.markPosted(digest.eventIds);
    const sent = new Set(digest.eventIds);
    for (const p of pending) p.lines = p.lines.filter((l) => !sent.has(l.eventId));
    messages++;
    widest = Math.max(widest, digest.deployments);
  }
  if (!messages) return { kind: 'done', messages, cardCalls: 0 };
  if (widest <= 1 || (await ownBudgetFreed(deps, platform, loc))) {
    await deps.digests!.switchOff(platform.name, channelId);
    deps.core.logger.info(
      { platform: platform.name, channelId },
      'channel back to threads: its backlog drained',
    );
    return { kind: 'done', messages, cardCalls: 0 };
  }
  // Still merging: come back at the channel's next turn and carry whatever arrived meanwhile (the lines
  // are in Postgres; the deployments' own runs only wake this one), so the channel sends a digest every
  // turn while the backlog lasts instead of waiting for wake-ups.
  await deps.digests!.switchOn(platform.name, channelId);
  const turn = Math.max(
    0,
    ...platform.rateBuckets('postChannelMessage', loc).map((b) => b.windowMs / b.limit),
  );
  return { kind: 'wait', ms: Math.ceil(turn), priority: 'state' };
}

/**
 * Where a thread has a message budget of its own (Discord: a thread is a channel), digests only help
 * while the budget threads share with the channel (the bot's) is what their messages queue for: once
 * that queue is under a turn, threads are faster again, however many deployments a digest still
 * carries. (On Slack threads spend the channel's own budget: there the digests carrying one deployment
 * at most is the sign.)
 */
async function ownBudgetFreed(
  deps: NotifierDeps,
  platform: ChatPlatform,
  loc: { deploymentId: number; channelId: string; cardMessageId: null; threadId: null },
): Promise<boolean> {
  const channel = new Set(platform.rateBuckets('postChannelMessage', loc).map((b) => b.key));
  const thread = platform.rateBuckets('postThreadMessage', { ...loc, threadId: `${loc.channelId}:thread` });
  if (thread.every((b) => channel.has(b.key))) return false;
  return (await deps.limiter.backlog(thread.filter((b) => channel.has(b.key)))) < 1;
}

/** The unposted lines of these deployments (events first, then the rows, as the thread notifier reads). */
async function pendingLines(
  deps: NotifierDeps,
  platform: ChatPlatform,
  ids: number[],
): Promise<PendingLines[]> {
  if (!ids.length) return [];
  const em = deps.core.orm.em.fork();
  const events = await em.find(DeploymentEvent, { deploymentId: { $in: ids } }, { orderBy: { id: 'asc' } });
  const rows = await em.find(Deployment, { id: { $in: ids } });
  const result: PendingLines[] = [];
  for (const d of rows) {
    const own = events.filter((e) => e.deploymentId === d.id);
    const image = await imageOf(deps.core.deployments, d.os);
    const approvalUnposted = own.some((e) => e.stage === 'approved' && !e.postedAt);
    const bmc = approvalUnposted ? ((await machineToPower(deps.core, d.mac))?.bmc?.driver ?? null) : null;
    const { lines } = planLines(d, own, { family: image.family, bmc }, platform.maxMessageLength);
    result.push({ d, lines, arrived: new Map(own.map((e) => [e.id, e.receivedAt.getTime()])) });
  }
  return result;
}

/** The advisory lock key of a channel's digest (a 32-bit slice of a hash of platform and channel). */
function channelKey(platform: string, channelId: string): number {
  return createHash('sha256').update(`${platform}:${channelId}`).digest().readInt32BE(0);
}

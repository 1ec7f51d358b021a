import type { ChatPlatform, WithCard, WithThread } from '../../chat/chat-platform.js';
import type { ChatCall } from './chat-call.js';
import type { PlannedMessage } from './plan.js';
import type { Urgency } from './urgency.js';

export interface ThreadTarget {
  platform: ChatPlatform;
  call: ChatCall;
  /** The card's location; its `threadId` is filled in once the thread is open. */
  loc: WithCard;
  title: string;
  /** Stores a newly opened thread's id (a `chat_ref` or `batch_chat_ref` row). */
  saveThread(threadId: string): Promise<void>;
}

/** Opens the thread under the card unless it is open (idempotent on every platform). */
export async function ensureThread(target: ThreadTarget, urgency: Urgency): Promise<WithThread> {
  const { loc, platform } = target;
  if (loc.threadId) return { ...loc, threadId: loc.threadId };
  const { threadId } = await target.call('createThread', urgency, () =>
    platform.ensureThread(loc, target.title),
  );
  await target.saveThread(threadId);
  loc.threadId = threadId;
  return { ...loc, threadId };
}

/**
 * Posts planned messages to the thread in order, each marked posted right after the platform accepted
 * it: a crash repeats at most the one in flight (its `key` lets the adapter drop it). Every call carries
 * `urgency`, the whole backlog's: a progress line queued before a final one must not hold it back.
 * Leaves with the limiter's `Wait` when the thread's channel is saturated; what went out stays marked.
 */
export async function postPlanned(
  target: ThreadTarget,
  messages: PlannedMessage[],
  urgency: Urgency,
  markPosted: (eventIds: string[]) => Promise<unknown>,
): Promise<number> {
  let posted = 0;
  for (const planned of messages) {
    const thread = await ensureThread(target, urgency);
    await target.call('postThreadMessage', urgency, () =>
      target.platform.postThreadMessage(thread, planned.message),
    );
    await markPosted(planned.eventIds);
    posted++;
  }
  return posted;
}

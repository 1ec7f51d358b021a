import type { MessagePriority } from '../../chat/chat-platform.js';
import { priorityRank } from '../../chat/messages/labels.js';

/**
 * How pressing a chat call is: the class of the most pressing news it carries, and when the oldest news
 * of that class arrived (ms since the epoch). The limiter serves claims in this order, so `since` must
 * stay the same across the retries of one piece of work: it comes from the events, never from the clock
 * of the run.
 */
export interface Urgency {
  priority: MessagePriority;
  since: number;
}

/** The more pressing of two: the higher class, then the older news. */
export function morePressingUrgency(a: Urgency, b: Urgency): Urgency {
  const ra = priorityRank(a.priority);
  const rb = priorityRank(b.priority);
  if (ra !== rb) return ra < rb ? a : b;
  return a.since <= b.since ? a : b;
}

/** The most pressing of several, or `fallback` when there are none. */
export function mostPressing(all: Urgency[], fallback: Urgency): Urgency {
  return all.length ? all.reduce(morePressingUrgency) : fallback;
}

import type { MessagePriority, ThreadMessage } from '../../chat/chat-platform.js';
import { morePressing } from '../../chat/messages/labels.js';
import {
  joinPowerLines,
  type LineContext,
  type ThreadLine,
  threadLine,
} from '../../chat/messages/thread-lines.js';
import type { Deployment } from '../../core/deployments/deployment.entity.js';
import type { DeploymentEvent } from '../../core/deployments/deployment-event.entity.js';
import { mostPressing, type Urgency } from './urgency.js';

/** A thread message and the events it carries (marked posted once it went out). */
export interface PlannedMessage {
  message: ThreadMessage;
  eventIds: string[];
  /** Its class and the arrival of its oldest line of that class (the limiter's order). */
  urgency: Urgency;
}

/** What the notifier has to do for one deployment's unposted events. */
export interface Plan {
  /** Thread messages in event order. */
  messages: PlannedMessage[];
  /** Events that change only the card (progress, pre-approval); marked posted after the card is current. */
  cardOnly: string[];
}

/**
 * Turns unposted events into thread messages. All lines waiting at once go out as one message (split at
 * the platform's length limit), oldest first: under a saturated channel a deployment catches up in one
 * call instead of falling further behind, and nothing is dropped or reordered.
 */
export function planThread(
  d: Deployment,
  events: DeploymentEvent[],
  ctx: LineContext,
  maxLength: number,
): Plan {
  const { lines, cardOnly } = planLines(d, events, ctx, maxLength);
  const messages: PlannedMessage[] = [];
  const arrived = new Map(events.map((e) => [e.id, e.receivedAt.getTime()]));
  let current: ThreadLine[] = [];
  const flush = () => {
    if (!current.length) return;
    const priority = current.map((l) => l.priority).reduce(morePressing);
    messages.push({
      message: {
        text: joinPowerLines(current.map((l) => l.text)).join('\n'),
        key: `d${d.id}-e${current[0]!.eventId}-e${current.at(-1)!.eventId}`,
        priority,
      },
      eventIds: current.map((l) => l.eventId),
      urgency: lineUrgency(current, arrived),
    });
    current = [];
  };
  for (const line of lines) {
    const length = current.reduce((n, l) => n + l.text.length + 1, 0) + line.text.length;
    if (current.length && length > maxLength) flush();
    current.push(line);
  }
  flush();
  return { messages, cardOnly };
}

/** The thread lines of a deployment's unposted events in order, and the events that only change the card. */
export function planLines(
  d: Deployment,
  events: DeploymentEvent[],
  ctx: LineContext,
  maxLength: number,
): { lines: ThreadLine[]; cardOnly: string[] } {
  const lines: ThreadLine[] = [];
  const cardOnly: string[] = [];
  events.forEach((event, i) => {
    if (event.postedAt) return;
    const line = threadLine(d, event, events[i - 1], ctx);
    if (line) lines.push({ ...line, text: line.text.slice(0, maxLength) });
    else cardOnly.push(event.id);
  });
  return { lines, cardOnly };
}

/** The most pressing class among a plan's messages, or `fallback` when it has none. */
export function planPriority(plan: Plan, fallback: MessagePriority): MessagePriority {
  return plan.messages.map((m) => m.message.priority).reduce(morePressing, fallback);
}

/** The most pressing urgency among a plan's messages, or `fallback` when it has none. */
export function planUrgency(plan: Plan, fallback: Urgency): Urgency {
  return mostPressing(
    plan.messages.map((m) => m.urgency),
    fallback,
  );
}

/** Lines' class, and when the oldest line of that class arrived. */
export function lineUrgency(
  lines: { eventId: string; priority: MessagePriority }[],
  arrived: Map<string, number>,
): Urgency {
  return mostPressing(
    lines.map((l) => ({ priority: l.priority, since: arrived.get(l.eventId) ?? Date.now() })),
    { priority: 'progress', since: Date.now() },
  );
}

import type { ThreadMessage } from '../../chat/chat-platform.js';
import type { ThreadLine } from '../../chat/messages/thread-lines.js';
import type { Deployment } from '../../core/deployments/deployment.entity.js';
import { lineUrgency } from './plan.js';
import { morePressingUrgency, type Urgency } from './urgency.js';

/** A single deployment's lines waiting for the channel, oldest first. */
export interface PendingLines {
  d: Deployment;
  lines: ThreadLine[];
  /** Event id → when it arrived (ms since the epoch). */
  arrived: Map<string, number>;
}

/** One channel message carrying several deployments' lines. */
export interface ChannelDigest {
  message: ThreadMessage;
  eventIds: string[];
  urgency: Urgency;
  /** How many deployments it carries lines of. */
  deployments: number;
}

/**
 * The next channel digest: one line per event, `#42 web07: ✅ Done in 14m 02s`, deployments with the most
 * pressing news first (finals, then state changes, then stages; oldest first within a class), each
 * deployment's lines in their order. Stops at the first line that does not fit, so a deployment cut short
 * continues in the next digest and no machine's lines are ever reordered. Null when nothing waits.
 */
export function planChannelDigest(pending: PendingLines[], maxLength: number): ChannelDigest | null {
  const queue = pending
    .filter((p) => p.lines.length)
    .map((p) => ({ ...p, urgency: lineUrgency(p.lines, p.arrived) }))
    .sort((a, b) => (morePressingUrgency(a.urgency, b.urgency) === a.urgency ? -1 : 1));
  const text: string[] = [];
  const taken: { line: ThreadLine; arrived: Map<string, number> }[] = [];
  let length = 0;
  let deployments = 0;
  fill: for (const p of queue) {
    let counted = false;
    for (const line of p.lines) {
      // A line of several rows (done and its timings) keeps them, each with the deployment's tag.
      const row = line.text
        .split('\n')
        .map((r) => `#${p.d.id} ${p.d.hostname}: ${r}`)
        .join('\n')
        .slice(0, maxLength);
      const added = (text.length ? 1 : 0) + row.length;
      if (length + added > maxLength) break fill;
      text.push(row);
      taken.push({ line, arrived: p.arrived });
      length += added;
      if (!counted) deployments++;
      counted = true;
    }
  }
  if (!taken.length) return null;
  const arrived = new Map(taken.map((t) => [t.line.eventId, t.arrived.get(t.line.eventId) ?? Date.now()]));
  const urgency = lineUrgency(
    taken.map((t) => t.line),
    arrived,
  );
  const ids = taken.map((t) => t.line.eventId);
  return {
    message: {
      text: text.join('\n'),
      key: `c-e${ids[0]}-e${ids.at(-1)}-n${ids.length}`,
      priority: urgency.priority,
    },
    eventIds: ids,
    urgency,
    deployments,
  };
}

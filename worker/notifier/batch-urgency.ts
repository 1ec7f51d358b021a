import { priorityOfState } from '../../chat/messages/labels.js';
import type { DeploymentEvent } from '../../core/deployments/deployment-event.entity.js';
import { mostPressing, type Urgency } from './urgency.js';

/**
 * A batch shows each machine's state twice, as a token in its thread and as a row of its card, and
 * either is enough for people to see it. So a final state is final news only where it is still unseen:
 * once the card shows it, the thread's copy is an ordinary state change, and the other way round. The
 * next slot of either budget then goes to the batch whose oldest final nobody can see yet.
 */
export function batchThreadUrgency(
  lineEvents: Pick<DeploymentEvent, 'state' | 'receivedAt'>[],
  /** When the card was last drawn (it shows every event that arrived before). */
  drawnAt: number,
  fallback: Urgency,
): Urgency {
  return mostPressing(
    lineEvents.map((e) => seen(e, e.receivedAt.getTime() <= drawnAt)),
    fallback,
  );
}

/** The card's urgency: events not in the thread yet are news; members that ended since it was drawn too. */
export function batchCardUrgency(
  notInThread: Pick<DeploymentEvent, 'state' | 'receivedAt'>[],
  endedSinceDrawn: Date[],
  fallback: Urgency,
): Urgency {
  return mostPressing(
    [
      ...notInThread.map((e) => seen(e, false)),
      // Their ends are in the thread already: the card still has to show them, as a state change.
      ...endedSinceDrawn.map((at) => ({ priority: 'state' as const, since: at.getTime() })),
    ],
    fallback,
  );
}

function seen(e: Pick<DeploymentEvent, 'state' | 'receivedAt'>, elsewhere: boolean): Urgency {
  const priority = priorityOfState(e.state);
  return { priority: elsewhere && priority === 'final' ? 'state' : priority, since: e.receivedAt.getTime() };
}

import { describe, expect, it } from 'vitest';
import type { DeploymentState } from '../../../core/deployments/lifecycle.js';
import { batchCardUrgency, batchThreadUrgency } from '../../../worker/notifier/batch-urgency.js';
import type { Urgency } from '../../../worker/notifier/urgency.js';

const event = (state: DeploymentState | null, at: number) => ({ state, receivedAt: new Date(at) });
const quiet: Urgency = { priority: 'progress', since: Number.MAX_SAFE_INTEGER };

describe("a batch's urgency on each of its two budgets", () => {
  it('makes a final final news for the thread only while the card does not show it', () => {
    const lines = [event('installing', 100), event('done', 200), event('done', 300)];
    // The card was drawn before both finals arrived: the older one is the thread's urgency.
    expect(batchThreadUrgency(lines, 150, quiet)).toEqual({ priority: 'final', since: 200 });
    // Drawn after the first: only the second is unseen.
    expect(batchThreadUrgency(lines, 250, quiet)).toEqual({ priority: 'final', since: 300 });
    // Drawn after both: the thread's copies are ordinary state changes.
    expect(batchThreadUrgency(lines, 350, quiet)).toEqual({ priority: 'state', since: 100 });
  });

  it('makes an end final news for the card only while the thread does not show it', () => {
    // An unposted done: unseen anywhere.
    expect(batchCardUrgency([event('done', 200)], [], quiet)).toEqual({ priority: 'final', since: 200 });
    // Ended since the card was drawn, but its line is in the thread already: a state change for the card.
    expect(batchCardUrgency([], [new Date(200)], quiet)).toEqual({ priority: 'state', since: 200 });
    expect(batchCardUrgency([], [], quiet)).toBe(quiet);
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fullFlow } from './support/full-flow.js';
import {
  APPROVER,
  CHANNEL,
  OPERATOR,
  type SlackHarness,
  startSlackHarness,
} from './support/slack-harness.js';
import { cardOf, ephemeralShows, requestedId } from './support/slack-views.js';

let h: SlackHarness;
beforeAll(async () => {
  h = await startSlackHarness({ mode: 'socket' });
});
afterAll(async () => {
  await h?.close();
});

describe('Slack in Socket Mode', () => {
  it('runs a deployment from /deploy to done, every stage in the card thread', async () => {
    await fullFlow(h, '52:54:00:5b:00:01');
    expect(h.fake.socket.connections).toBe(1);
  }, 90_000);

  it('handles a redelivered reaction envelope once', async () => {
    const seen = h.fake.ephemeralsFor(OPERATOR).length;
    await h.command(OPERATOR, '/deploy', 'mac:52:54:00:5b:00:02 os:ubuntu2404');
    const id = await requestedId(h, OPERATOR, seen);
    const card = await cardOf(h, id);
    const first = await h.react(APPROVER, card.ts, 'white_check_mark');
    await ephemeralShows(h, APPROVER, new RegExp(`You approved deployment #${id}\\.`));
    const event = {
      type: 'reaction_added',
      user: APPROVER,
      reaction: 'white_check_mark',
      item: { type: 'message', channel: CHANNEL, ts: card.ts },
      item_user: h.fake.botUserId,
      event_ts: card.ts,
    };
    const mark = h.logs.length;
    await h.sendEvent(event, { eventId: first.eventId, retry: 1 });
    await h.waitForLog(/redelivered reaction ignored/, mark);
    const decisions = await h.core.deployments.repository().decisions(id);
    expect(decisions.map((d) => `${d.actorId}:${d.verdict}:${d.accepted}`)).toEqual([
      `${APPROVER}:approve:true`,
    ]);
    expect(h.fake.ephemeralsFor(APPROVER).filter((e) => e.text.includes(`#${id}`))).toHaveLength(1);
  }, 30_000);
});

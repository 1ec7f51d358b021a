import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  APPROVER,
  CHANNEL,
  OPERATOR,
  type SlackHarness,
  startSlackHarness,
} from './support/slack-harness.js';
import { hasButtons, threadLines } from './support/slack-views.js';

let h: SlackHarness;
beforeAll(async () => {
  h = await startSlackHarness({ mode: 'http' });
});
afterAll(async () => {
  await h?.close();
});

const N = 20;

describe('many deployments in one channel', () => {
  it(`requests and approves ${N} at once without a single 429 from Slack`, async () => {
    const { fake } = h;
    const acks = await Promise.all(
      Array.from({ length: N }, (_, i) =>
        h.command(OPERATOR, '/deploy', `mac:52:54:00:cc:00:${(0x10 + i).toString(16)} os:ubuntu2404`),
      ),
    );
    expect(acks.every((a) => a.acked)).toBe(true);

    // Approve each card as soon as it appears, as an approver watching the channel would.
    const approved = new Set<string>();
    const approvals: Promise<unknown>[] = [];
    const cards = await fake.waitFor(
      () => {
        const list = fake.channelMessages(CHANNEL).filter((m) => m.user === fake.botUserId);
        for (const card of list) {
          const mine = fake.state.reactionsBy(CHANNEL, card.ts, fake.botUserId).length === 2;
          if (mine && !approved.has(card.ts)) {
            approved.add(card.ts);
            approvals.push(h.react(APPROVER, card.ts, 'white_check_mark'));
          }
        }
        return approved.size === N && list;
      },
      90_000,
      `${N} cards with their reactions`,
    );
    await Promise.all(approvals);
    const ids = cards.map((c) => Number(/^Deployment #(\d+):/.exec(c.text)![1]));
    // Twenty approval lines at once are more than the channel's one message a second: the notifier may
    // post them in the threads or, once the channel's queue is deep, as rows of channel digests
    // (`#<id> <host>: …`). Either way each shows exactly once.
    const digestRows = () =>
      fake
        .channelMessages(CHANNEL)
        .filter((m) => m.user === fake.botUserId && !/^Deployment #/.test(m.text))
        .flatMap((m) => m.text.split('\n'));
    const approvalsShown = (i: number) =>
      threadLines(h, cards[i]!.ts).filter((l) => l.startsWith('👍 Approved by approver')).length +
      digestRows().filter((r) => r.startsWith(`#${ids[i]} `) && r.includes('👍 Approved by approver')).length;
    await fake.waitFor(
      () =>
        cards.every((_, i) => approvalsShown(i) >= 1) &&
        cards.every((c) => !hasButtons(fake.state.findMessage(CHANNEL, c.ts)!)),
      90_000,
      `${N} approvals in their threads or channel digests, and on their cards`,
    );

    expect(cards).toHaveLength(N);
    expect(new Set(ids).size).toBe(N);
    for (let i = 0; i < N; i++) expect(approvalsShown(i)).toBe(1);
    const states = await Promise.all(
      ids.map(async (id) => (await h.core.deployments.repository().get(id)).status),
    );
    expect(states.every((s) => s === 'approved')).toBe(true);
    expect(fake.state.rateLimited).toEqual([]);
  }, 150_000);
});

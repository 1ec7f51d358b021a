import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { APPROVE_ACTION, REJECT_ACTION } from '../../../bot/slack/card-blocks.js';
import {
  APPROVER,
  APPROVER_GROUP,
  CHANNEL,
  LISTED_APPROVER,
  OPERATOR,
  OUTSIDER,
  type SlackHarness,
  startSlackHarness,
} from './support/slack-harness.js';
import {
  cardOf,
  cardShows,
  ephemeralShows,
  hasButtons,
  requestedId,
  threadLines,
  threadShows,
} from './support/slack-views.js';

// Approvers: U0APPROVER2 (lena) by SLACK_APPROVER_USER_IDS, U0APPROVER1 (approver) through the user
// group S0APPROVERS. U0OUTSIDER1 (otto) is neither.
let h: SlackHarness;
let mac = 0x10;

beforeAll(async () => {
  h = await startSlackHarness({ mode: 'http' });
});
afterAll(async () => {
  await h?.close();
});

async function request(user = OPERATOR) {
  const seen = h.fake.ephemeralsFor(user).length;
  await h.command(user, '/deploy', `mac:52:54:00:ab:00:${(mac++).toString(16)} os:ubuntu2404`);
  const id = await requestedId(h, user, seen);
  return { id, card: await cardOf(h, id) };
}

const status = async (id: number) => (await h.core.deployments.repository().get(id)).status;
const decisions = async (id: number) =>
  (await h.core.deployments.repository().decisions(id)).map((d) => `${d.actorId}:${d.verdict}:${d.accepted}`);

/** Slack tells the app that the approver group's members changed. */
async function groupChanged() {
  const mark = h.logs.length;
  await h.sendEvent({
    type: 'subteam_members_changed',
    subteam_id: APPROVER_GROUP,
    team_id: h.fake.teamId,
    date_previous_update: 1,
    date_update: 2,
    event_ts: '1.000001',
  });
  await h.waitForLog(/approver group changed/, mark);
}

describe('who approves on Slack', () => {
  it('a configured user id approves with the Approve button; the card loses its buttons', async () => {
    const { id, card } = await request();
    const click = await h.click(LISTED_APPROVER, card.ts, APPROVE_ACTION, String(id));
    expect(click.acked).toBe(true);
    await ephemeralShows(h, LISTED_APPROVER, new RegExp(`You approved deployment #${id}\\.`));
    await threadShows(h, card.ts, /Approved by lena/);
    await cardShows(h, card.ts, /Approved by lena/);
    expect(hasButtons(h.fake.state.findMessage(CHANNEL, card.ts)!)).toBe(false);
    expect(await decisions(id)).toEqual([`${LISTED_APPROVER}:approve:true`]);

    // ✅ on the bot's thread reply is no decision: nothing happens, nobody is told anything.
    const reply = h.fake.thread(CHANNEL, card.ts)[1]!;
    const before = h.fake.ephemeralsFor(APPROVER).length;
    const mark = h.logs.length;
    await h.react(APPROVER, reply.ts, 'white_check_mark');
    await h.waitForLog(/not a card/, mark);
    expect(h.fake.ephemeralsFor(APPROVER)).toHaveLength(before);
    expect(await decisions(id)).toEqual([`${LISTED_APPROVER}:approve:true`]);
  }, 30_000);

  it('refuses ✅ from someone who is not an approver, and the request stays pending', async () => {
    const { id, card } = await request();
    await h.react(OUTSIDER, card.ts, 'white_check_mark');
    await ephemeralShows(h, OUTSIDER, new RegExp(`otto is not an approver for deployment #${id}`));
    expect(await status(id)).toBe('pending_approval');
    expect(await decisions(id)).toEqual([`${OUTSIDER}:approve:false`]);
    expect(threadLines(h, card.ts)).toEqual([]);
  });

  it('refuses self-approval by a group member', async () => {
    const { id, card } = await request(APPROVER);
    await h.react(APPROVER, card.ts, 'white_check_mark');
    await ephemeralShows(
      h,
      APPROVER,
      new RegExp(`approver requested deployment #${id} and cannot approve it too`),
    );
    expect(await status(id)).toBe('pending_approval');
  });

  it('reads the user group at decision time: a member removed from it no longer approves', async () => {
    const group = h.fake.state.usergroups.get(APPROVER_GROUP)!;
    group.users = [];
    try {
      await groupChanged();
      const { id, card } = await request();
      await h.react(APPROVER, card.ts, 'white_check_mark');
      await ephemeralShows(h, APPROVER, new RegExp(`approver is not an approver for deployment #${id}`));
      expect(await status(id)).toBe('pending_approval');
    } finally {
      group.users = [APPROVER];
      await groupChanged();
    }
  });

  it('fails closed when Slack cannot list the group', async () => {
    await groupChanged();
    const { id, card } = await request();
    h.fake.failNext({ method: 'usergroups.users.list', error: 'fatal_error' });
    const mark = h.logs.length;
    await h.react(APPROVER, card.ts, 'white_check_mark');
    await ephemeralShows(h, APPROVER, new RegExp(`approver is not an approver for deployment #${id}`));
    await h.waitForLog(/approver check failed/, mark);
    expect(await status(id)).toBe('pending_approval');
    expect(await decisions(id)).toEqual([`${APPROVER}:approve:false`]);
  });

  it('❌ from a group member rejects; the card says who and no thread is opened', async () => {
    const { id, card } = await request();
    await h.react(APPROVER, card.ts, 'x');
    await ephemeralShows(h, APPROVER, new RegExp(`You rejected deployment #${id}\\.`));
    await cardShows(h, card.ts, /Rejected by approver/);
    expect(hasButtons(h.fake.state.findMessage(CHANNEL, card.ts)!)).toBe(false);
    expect(threadLines(h, card.ts)).toEqual([]);
  });

  it('the Reject button from an outsider is refused', async () => {
    const { id, card } = await request();
    await h.click(OUTSIDER, card.ts, REJECT_ACTION, String(id));
    await ephemeralShows(
      h,
      OUTSIDER,
      new RegExp(`only the requester or an approver may reject deployment #${id}`),
    );
    expect(await status(id)).toBe('pending_approval');
  });

  it('shows command errors only to the user who typed them', async () => {
    const seen = h.fake.ephemeralsFor(OPERATOR).length;
    const messages = h.fake.channelMessages(CHANNEL).length;
    await h.command(OPERATOR, '/deploy', 'mac:zz:<!channel> os:ubuntu2404');
    const e = await h.fake.waitFor(() => h.fake.ephemeralsFor(OPERATOR)[seen], 5000);
    expect(e.text).toMatch(/^⚠️ /);
    expect(e.text).not.toContain('<!channel>');
    expect(h.fake.channelMessages(CHANNEL)).toHaveLength(messages);
  });
});

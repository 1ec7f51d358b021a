import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeRedfish } from '../../support/fake-redfish/fake-redfish.js';
import { until } from '../../support/until.js';
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
  h = await startSlackHarness({ mode: 'http' });
});
afterAll(async () => {
  await h?.close();
});

const deploymentCount = async () => (await h.core.deployments.repository().list({ limit: 100 })).total;

describe('Slack over HTTP, mounted on the admin listener', () => {
  it('runs a deployment from /deploy to done, every stage in the card thread', async () => {
    await fullFlow(h, '52:54:00:5a:00:01');
  }, 90_000);

  it('refuses a slash command with a forged signature, and nothing changes', async () => {
    const before = await deploymentCount();
    const calls = h.fake.state.calls.length;
    const res = await h.fake.sendSlashCommand(
      h.eventsUrl,
      {
        command: '/deploy',
        text: 'mac:52:54:00:5a:00:02 os:ubuntu2404',
        user_id: OPERATOR,
        channel_id: CHANNEL,
      },
      { forgeSignature: true },
    );
    expect(res.status).toBe(401);
    expect(await deploymentCount()).toBe(before);
    expect(h.fake.state.calls.length).toBe(calls);
    expect(h.fake.state.responseUrlPosts.filter((p) => p.url === res.responseUrl)).toEqual([]);
  });

  it('refuses a replayed reaction signed six minutes ago, and the request stays pending', async () => {
    const seen = h.fake.ephemeralsFor(OPERATOR).length;
    await h.command(OPERATOR, '/deploy', 'mac:52:54:00:5a:00:03 os:ubuntu2404');
    const id = await requestedId(h, OPERATOR, seen);
    const card = await cardOf(h, id);
    const event = h.fake.reactionAdded(APPROVER, CHANNEL, card.ts, 'white_check_mark');
    const res = await h.fake.sendEvent(h.eventsUrl, event, { ageSeconds: 360 });
    expect(res.status).toBe(401);
    const unsigned = await h.fake.sendEvent(h.eventsUrl, event, { unsigned: true });
    expect(unsigned.status).toBe(401);
    expect((await h.core.deployments.repository().get(id)).status).toBe('pending_approval');
    expect(await h.core.deployments.repository().decisions(id)).toEqual([]);
  });

  it('approves once when Slack redelivers the reaction event', async () => {
    const seen = h.fake.ephemeralsFor(OPERATOR).length;
    await h.command(OPERATOR, '/deploy', 'mac:52:54:00:5a:00:04 os:ubuntu2404');
    const id = await requestedId(h, OPERATOR, seen);
    const card = await cardOf(h, id);
    const event = h.fake.reactionAdded(APPROVER, CHANNEL, card.ts, 'white_check_mark');
    const first = await h.sendEvent(event);
    await ephemeralShows(h, APPROVER, new RegExp(`You approved deployment #${id}\\.`));
    const mark = h.logs.length;
    const again = await h.sendEvent(event, { eventId: first.eventId, retry: 1 });
    expect(again.acked).toBe(true);
    await h.waitForLog(/redelivered reaction ignored/, mark);
    const decisions = await h.core.deployments.repository().decisions(id);
    expect(decisions.map((d) => `${d.actorId}:${d.verdict}:${d.accepted}`)).toEqual([
      `${APPROVER}:approve:true`,
    ]);
    expect(h.fake.ephemeralsFor(APPROVER).filter((e) => e.text.includes(`#${id}`))).toHaveLength(1);
  });

  it('answers Slack’s url_verification challenge when the Request URL is saved', async () => {
    const res = await h.fake.sendUrlVerification(h.eventsUrl);
    expect(res.status).toBe(200);
    expect(res.json).toEqual({ challenge: res.challenge });
  });

  it('answers 404 for other paths under the mount and keeps the admin API behind its token', async () => {
    const base = h.eventsUrl.replace('/slack/events', '');
    expect((await fetch(`${h.eventsUrl}/other`, { method: 'POST' })).status).toBe(404);
    expect((await fetch(h.eventsUrl)).status).toBe(404);
    expect((await fetch(`${base}/api/v1/deployments`)).status).toBe(401);
  });

  it('/machines and /power: status for anyone, changes for approvers only', async () => {
    const bmc = await startFakeRedfish({ password: 'Slack-Bmc-Pw-22' });
    try {
      await h.core.machines.put('rf02', {
        mac: '52:54:00:5a:09:01',
        bmc: { driver: 'redfish', address: bmc.url, username: 'root', password: 'Slack-Bmc-Pw-22' },
      });
      await h.command(OPERATOR, '/machines', '');
      await ephemeralShows(h, OPERATOR, /^rf02 · 52:54:00:5a:09:01 · redfish /m);
      await h.command(OPERATOR, '/power', 'rf02 status');
      await ephemeralShows(h, OPERATOR, /⚡ rf02 is off \(Redfish\)\./);
      await h.command(OPERATOR, '/power', 'rf02 on');
      await ephemeralShows(h, OPERATOR, /is not an approver: only approvers may change the power of rf02/);
      expect(bmc.resets).toEqual([]);
      await h.command(APPROVER, '/power', 'rf02 on');
      await until(() => bmc.resets.length > 0, 'the BMC was asked to power on');
      expect(bmc.resets).toEqual(['On']);
      expect(JSON.stringify(h.fake.state.calls)).not.toContain('Slack-Bmc-Pw-22');
    } finally {
      await bmc.close();
    }
  });
});

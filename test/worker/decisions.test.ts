import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cardOf, cardShows, deploy, type Harness, startHarness, threadShows } from './support/harness.js';

// Approvers on the recording platform: bob and carol. mallory's approver check throws.
let h: Harness;
let mac = 0x10;
const nextMac = () => `52:54:00:aa:00:${(mac++).toString(16).padStart(2, '0')}`;

beforeAll(async () => {
  h = await startHarness({}, { brokenApprovers: ['mallory'] });
});
afterAll(async () => {
  await h?.close();
});

async function decisions(id: number) {
  return (await h.core.deployments.repository().decisions(id)).map(
    (d) => `${d.actorId}:${d.verdict}:${d.accepted}`,
  );
}

describe('approval rules', () => {
  it('❌ from an approver rejects: the card says who, no thread is opened', async () => {
    const id = await deploy(h, 'alice', `mac:${nextMac()} os:ws2025 edition:datacenter`);
    const reply = await h.platform.react('carol', await cardOf(h, id), 'reject');
    expect(reply).toMatchObject({ ok: true, text: `❌ You rejected deployment #${id}.` });
    await cardShows(h, id, 'rejected');
    expect(h.platform.cardOf(id)!.card.statusLine).toBe('🚫 Rejected by carol');
    expect(h.platform.threadsOpened).not.toContain(id);
    expect(await decisions(id)).toEqual(['carol:reject:true']);
  });

  it('refuses self-approval and keeps the request pending', async () => {
    const id = await deploy(h, 'bob', `mac:${nextMac()} os:ubuntu2404`);
    const reply = await h.platform.react('bob', await cardOf(h, id), 'approve');
    expect(reply).toMatchObject({ ok: false, code: 'deploy:self-approval' });
    expect(reply.text).toBe(`⚠️ bob requested deployment #${id} and cannot approve it too`);
    expect((await h.core.deployments.repository().get(id)).status).toBe('pending_approval');
    expect(await decisions(id)).toEqual(['bob:approve:false']);
  });

  it('refuses a ✅ from someone who is not an approver', async () => {
    const id = await deploy(h, 'alice', `mac:${nextMac()} os:ubuntu2404`);
    const reply = await h.platform.react('dave', await cardOf(h, id), 'approve');
    expect(reply).toMatchObject({ ok: false, code: 'deploy:not-approver' });
    expect((await h.core.deployments.repository().get(id)).status).toBe('pending_approval');
  });

  it('fails closed when the approver check throws', async () => {
    const id = await deploy(h, 'alice', `mac:${nextMac()} os:ubuntu2404`);
    const reply = await h.platform.react('mallory', await cardOf(h, id), 'approve');
    expect(reply).toMatchObject({ ok: false, code: 'deploy:not-approver' });
    expect(await decisions(id)).toEqual(['mallory:approve:false']);
  });

  it('two approvers at once: one approval wins, the other hears who was first, one thread line', async () => {
    const id = await deploy(h, 'alice', `mac:${nextMac()} os:ubuntu2404`);
    const card = await cardOf(h, id);
    const replies = await Promise.all([
      h.platform.react('bob', card, 'approve'),
      h.platform.react('carol', card, 'approve'),
    ]);
    const won = replies.filter((r) => r.ok);
    const lost = replies.filter((r) => !r.ok);
    expect(won).toHaveLength(1);
    expect(lost[0]).toMatchObject({ code: 'deploy:already-decided' });
    expect(lost[0]!.text).toMatch(new RegExp(`^⚠️ deployment #${id} was already approved by (bob|carol)$`));
    await threadShows(h, id, /Approved by/);
    await cardShows(h, id, 'approved');
    expect(h.platform.threadLines(id).filter((l) => l.includes('Approved by'))).toHaveLength(1);
  });

  it('a reaction on a message that is no card changes nothing', async () => {
    const reply = await h.platform.react('bob', 'M-not-a-card', 'approve');
    expect(reply).toMatchObject({
      ok: false,
      code: 'chat:not-a-card',
      text: '⚠️ that message is not a deployment card',
    });
  });
});

describe('cancel', () => {
  it('the requester cancels a running deployment: the thread and the card say so', async () => {
    const id = await deploy(h, 'alice', `mac:${nextMac()} os:ubuntu2404`);
    await h.platform.react('bob', await cardOf(h, id), 'approve');
    await h.core.deployments.markBooting(id, { platform: 'pcbios', arch: 'i386' }, 'baremetal');
    await threadShows(h, id, /Booting — BIOS, bare metal detected/);
    const reply = await h.platform.command('alice', `/deploy-cancel ${id} wrong disk`);
    expect(reply).toMatchObject({ ok: true, text: `🚫 You cancelled deployment #${id}.` });
    await threadShows(h, id, /^🚫 Cancelled by alice: wrong disk$/);
    await cardShows(h, id, 'cancelled');
    expect(h.platform.cardOf(id)!.card.statusLine).toBe('🚫 Cancelled — wrong disk');
  });

  it('cancelling a pending request changes only the card', async () => {
    const id = await deploy(h, 'alice', `mac:${nextMac()} os:ubuntu2404`);
    await cardOf(h, id);
    expect((await h.platform.command('bob', `/deploy-cancel #${id}`)).ok).toBe(true);
    await cardShows(h, id, 'cancelled');
    expect(h.platform.threadsOpened).not.toContain(id);
  });

  it('someone who is neither requester nor approver cannot cancel', async () => {
    const id = await deploy(h, 'alice', `mac:${nextMac()} os:ubuntu2404`);
    const reply = await h.platform.command('dave', `/deploy-cancel ${id}`);
    expect(reply).toMatchObject({ ok: false, code: 'deploy:not-approver' });
    expect((await h.core.deployments.repository().get(id)).status).toBe('pending_approval');
  });
});

describe('failure reported by the installer', () => {
  it('shows the reason, the time it ran and each phase', async () => {
    const id = await deploy(h, 'alice', `mac:${nextMac()} os:ws2025`);
    await h.platform.react('bob', await cardOf(h, id), 'approve');
    await h.core.deployments.recordEvent(id, { stage: 'winpe_started', source: 'installer' });
    await h.core.deployments.recordEvent(id, {
      stage: 'failed',
      source: 'installer',
      message: 'disk 0 not found\nDISKPART failed',
    });
    await threadShows(h, id, /^❌ Failed after/);
    await cardShows(h, id, 'failed');
    const lines = h.platform.threadLines(id);
    expect(lines.at(-2)).toMatch(/^❌ Failed after \d+s — disk 0 not found DISKPART failed$/);
    expect(lines.at(-1)).toMatch(/^⏱ approval \d+s · power-on \d+s · install \d+s$/);
  });
});

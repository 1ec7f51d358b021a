import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { PowerActionRecord } from '../../core/power/power-action.entity.js';
import { PowerRun } from '../../core/power/power-run.entity.js';
import {
  type FakeRedfish,
  type FakeRedfishOptions,
  startFakeRedfish,
} from '../support/fake-redfish/fake-redfish.js';
import { selfSignedCertificate } from '../support/fake-redfish/self-signed.js';
import { cardOf, deploy, type Harness, settled, startHarness } from './support/harness.js';

// Approval → the worker drives the machine's BMC (a fake Redfish BMC) → thread lines and the card. Real
// Postgres, Redis, BullMQ, notifier and chat layer on a recording platform.
let h: Harness;
const bmcs: FakeRedfish[] = [];
const PASSWORD = 'Bmc-Pa55word-c0ffee';
let n = 0;
let cert: { key: string; cert: string };

beforeAll(async () => {
  h = await startHarness({ POWER_ATTEMPTS: '3', POWER_BACKOFF_SECONDS: '0.05' });
  cert = await selfSignedCertificate();
});
afterEach(async () => {
  await Promise.all(bmcs.splice(0).map((b) => b.close()));
});
afterAll(() => h?.close());

/** A machine with a fresh fake BMC; returns its name and the BMC. */
async function machine(opts: FakeRedfishOptions = {}, password = PASSWORD) {
  const bmc = await startFakeRedfish({ password: PASSWORD, ...opts });
  bmcs.push(bmc);
  const name = `web${String(++n).padStart(2, '0')}`;
  await h.core.machines.put(name, {
    mac: `52:54:00:77:00:${String(n).padStart(2, '0')}`,
    bmc: { driver: 'redfish', address: bmc.url, username: 'root', password, verifyTls: true },
    bootMode: 'uefi',
  });
  return { name, bmc };
}

async function approved(name: string): Promise<number> {
  const id = await deploy(h, 'alice', `host:${name} os:ubuntu2404`);
  await h.platform.react('bob', await cardOf(h, id), 'approve');
  return id;
}

/** Waits for a thread line; BMC round trips and retries take longer than a callback on a busy host. */
const threadShows = (_: Harness, id: number, pattern: RegExp) =>
  h.platform.waitFor(
    () => h.platform.threadLines(id).some((l) => pattern.test(l)),
    `#${id} thread line ${pattern}`,
    60_000,
  );

const events = async (id: number) => (await h.core.deployments.repository().events(id)).map((e) => e.stage);

// BMC round trips, retries with backoff and the notifier's coalescing add up on a loaded host.
describe('approval powers the machine into PXE through its BMC', { timeout: 90_000 }, () => {
  it('sets PXE once, verifies it, powers an off machine on; one thread line; the card shows power', async () => {
    const { name, bmc } = await machine();
    const id = await approved(name);
    await threadShows(h, id, /⚡/);
    await settled(h);
    expect(h.platform.threadLines(id).filter((l) => /👍|⚡|⚠️/.test(l))).toEqual([
      '👍 Approved by bob. Powering the machine on into network boot through its BMC (Redfish).',
      '⚡ PXE once set via Redfish (UEFI), verified · powered on',
    ]);
    expect(bmc.state).toMatchObject({ power: 'On', boot: { target: 'Pxe', enabled: 'Once', mode: 'UEFI' } });
    expect(bmc.resets).toEqual(['On']);
    expect(bmc.loggedOut).toBeGreaterThanOrEqual(1);
    expect(bmc.sessions.size).toBe(0);
    expect(await events(id)).toEqual(['requested', 'approved', 'power_pxe', 'power_on']);
    const card = h.platform.cardOf(id)!.card;
    expect(card.status).toBe('approved');
    expect(card.fields).toContainEqual({ label: 'Power', value: '⚡ on (powered on by the BMC)' });
    expect(card.footer).toMatch(/Powered on through its BMC/);
  });

  it('cycles a machine that is on', async () => {
    const { name, bmc } = await machine({ initialPower: 'On' });
    const id = await approved(name);
    await threadShows(h, id, /power cycled/);
    expect(bmc.resets).toEqual(['ForceRestart']);
    expect(h.platform.threadLines(id)).toContain(
      '⚡ PXE once set via Redfish (UEFI), verified · power cycled',
    );
  });

  it('says in the thread when TLS is not verified (self-signed BMC, verifyTls: false)', async () => {
    const bmc = await startFakeRedfish({ password: PASSWORD, tls: cert });
    bmcs.push(bmc);
    await h.core.machines.put('tls01', {
      mac: '52:54:00:77:02:01',
      bmc: { driver: 'redfish', address: bmc.url, username: 'root', password: PASSWORD, verifyTls: false },
    });
    const id = await approved('tls01');
    await threadShows(h, id, /powered on/);
    expect(h.platform.threadLines(id)).toContain(
      '⚡ PXE once set via Redfish (UEFI), verified (TLS certificate not verified: verifyTls is false) · powered on',
    );
  });

  it('retries a busy BMC (503) with backoff and then succeeds', async () => {
    const { name, bmc } = await machine({ busy: 2 });
    const id = await approved(name);
    await threadShows(h, id, /powered on/);
    expect(bmc.resets).toEqual(['On']);
    expect(h.platform.threadLines(id).filter((l) => l.includes('⚠️'))).toEqual([]);
  });

  it('gives up on a BMC that stays busy: one line with its message, the deployment stays approved', async () => {
    const { name, bmc } = await machine({ busy: 1000 });
    const id = await approved(name);
    await threadShows(h, id, /⚠️/);
    await settled(h);
    const lines = h.platform.threadLines(id).filter((l) => /⚡|⚠️/.test(l));
    expect(lines).toEqual([
      `⚠️ Could not power ${name} on via Redfish: HTTP 503: The service is temporarily unavailable (busy); retry later. Power it on by hand (network boot); the deployment stays approved.`,
    ]);
    // Three attempts (POWER_ATTEMPTS), each stopped at its first request.
    expect(bmc.requests.length).toBe(3);
    expect((await h.core.deployments.repository().get(id)).status).toBe('approved');
    const card = h.platform.cardOf(id)!.card;
    expect(card.fields).toContainEqual({ label: 'Power', value: '⚠️ BMC failed: power it on by hand' });
    expect(card.footer).toMatch(/power it on by hand/);
  });

  it('a wrong password is one clear line at once (no retries), and never shows the password', async () => {
    const wrong = 'Not-The-Right-One-42';
    const { name, bmc } = await machine({}, wrong);
    const id = await approved(name);
    await threadShows(h, id, /⚠️/);
    await settled(h);
    expect(h.platform.threadLines(id).filter((l) => /⚡|⚠️/.test(l))).toEqual([
      `⚠️ Could not power ${name} on via Redfish: HTTP 401: Invalid username or password. Power it on by hand (network boot); the deployment stays approved.`,
    ]);
    expect(bmc.requests.filter((r) => r.path.endsWith('/Sessions'))).toHaveLength(1);
    expect((await h.core.deployments.repository().get(id)).status).toBe('approved');
    const everything = JSON.stringify([
      ...h.platform.threads.values(),
      [...h.platform.cards.values()],
      h.platform.privateMessages,
    ]);
    expect(everything).not.toContain(wrong);
    expect(everything).not.toContain(PASSWORD);
  });

  it('resumes a sequence a stopped worker left mid-way without changing power twice', async () => {
    const { name, bmc } = await machine({ initialPower: 'On' });
    const id = await deploy(h, 'alice', `host:${name} os:ubuntu2404`);
    // A worker died after asking the BMC to cycle: the run says "powering", the machine is on.
    const em = h.core.orm.em.fork();
    em.create(PowerRun, {
      deploymentId: id,
      machineName: name,
      step: 'powering',
      powerBefore: 'on',
      error: null,
      createdAt: new Date(),
      updatedAt: new Date(),
    });
    await em.flush();
    await h.platform.react('bob', await cardOf(h, id), 'approve');
    await threadShows(h, id, /⚡ Power on confirmed \(after a worker restart\)/);
    expect(bmc.resets).toEqual([]);
    expect(await events(id)).toEqual(['requested', 'approved', 'power_on']);
  });

  it('the reconciler starts a sequence that never started (the arm job was lost)', async () => {
    const bmc = await startFakeRedfish({ password: PASSWORD });
    bmcs.push(bmc);
    const mac = '52:54:00:77:03:01';
    await h.core.machines.put('late01', { mac, bmc: { driver: 'manual' } });
    const id = await approved('late01');
    await threadShows(h, id, /Approved by bob/);
    await settled(h);
    expect(bmc.requests).toEqual([]);
    // Now the BMC is known, as after a Redis loss between approval and arming: Postgres says what to do.
    await h.core.machines.put('late01', {
      mac,
      bmc: { driver: 'redfish', address: bmc.url, username: 'root', password: PASSWORD },
    });
    await h.worker.reconcile();
    await threadShows(h, id, /⚡ PXE once set via Redfish \(UEFI\), verified · powered on/);
    expect(bmc.resets).toEqual(['On']);
  });

  it('leaves machines without a BMC, and MACs outside the inventory, to a person', async () => {
    await h.core.machines.put('manual01', { mac: '52:54:00:77:01:01', bmc: { driver: 'manual' } });
    const id = await approved('manual01');
    await threadShows(h, id, /Approved by bob\. The machine may PXE-boot now: power it on/);
    await settled(h);
    expect(await events(id)).toEqual(['requested', 'approved']);
    expect(h.platform.cardOf(id)!.card.footer).toMatch(/Power the machine on/);
  });
});

describe('/power in chat', { timeout: 60_000 }, () => {
  it('status for anyone; changes for approvers only, refusals audited', async () => {
    const { name, bmc } = await machine();
    const status = await h.platform.command('alice', `/power ${name} status`);
    expect(status).toMatchObject({ ok: true, text: `⚡ ${name} is off (Redfish).` });
    const refused = await h.platform.command('alice', `/power ${name} on`);
    expect(refused).toMatchObject({ ok: false, code: 'power:not-approver' });
    expect(refused.text).toMatch(/alice is not an approver/);
    expect(bmc.resets).toEqual([]);
    const on = await h.platform.command('bob', `/power ${name} on`);
    expect(on).toMatchObject({ ok: true, visibility: 'public' });
    expect(on.text).toBe(`⚡ ${name} powered on via Redfish by bob; it is now on.`);
    expect(bmc.resets).toEqual(['On']);
    const audit = await h.core.orm.em
      .fork()
      .find(PowerActionRecord, { machineName: name }, { orderBy: { id: 'asc' } });
    expect(audit.map((a) => [a.action, a.accepted, a.actorName])).toEqual([
      ['status', true, 'alice'],
      ['on', false, 'alice'],
      ['on', true, 'bob'],
    ]);
    const bad = await h.platform.command('bob', `/power ${name} explode`);
    expect(bad).toMatchObject({ ok: false, code: 'command:bad-arguments' });
  });

  it('reports a BMC failure with its message; /machines lists the inventory without secrets', async () => {
    const { name } = await machine({ busy: 1000 });
    const failed = await h.platform.command('bob', `/power ${name} cycle`);
    expect(failed).toMatchObject({ ok: false, code: 'bmc:busy' });
    expect(failed.text).toContain('HTTP 503: The service is temporarily unavailable');
    const list = await h.platform.command('alice', '/machines');
    expect(list.text).toMatch(
      new RegExp(`^${name} · 52:54:00:77:00:\\d\\d · redfish 127\\.0\\.0\\.1:\\d+ · UEFI$`, 'm'),
    );
    expect(list.text).not.toContain(PASSWORD);
  });
});

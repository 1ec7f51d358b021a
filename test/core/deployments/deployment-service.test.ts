import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Core } from '../../../core/create-core.js';
import { createCore } from '../../../core/create-core.js';
import { Decision } from '../../../core/deployments/decision.entity.js';
import { createLogger } from '../../../core/logger.js';
import { System } from '../../../core/systems/system.entity.js';
import { alice, approver, bob, carol, createTestCore, nobody } from '../../support/test-core.js';
import { until } from '../../support/until.js';

let core: Core;
let macCounter = 0x100;
/** A fresh MAC per test, so tests in this file never share a machine. */
const nextMac = () =>
  `52:54:00:00:${((macCounter >> 8) & 0xff).toString(16).padStart(2, '0')}:${(macCounter++ & 0xff).toString(16).padStart(2, '0')}`;

beforeAll(async () => {
  core = await createTestCore();
});
afterAll(async () => {
  await core?.close();
});

const request = (extra: Record<string, unknown> = {}, actor = alice) =>
  core.deployments.request({ mac: nextMac(), os: 'ubuntu2404', ...extra }, actor);

describe('request', () => {
  it('creates a pending deployment with a canonical MAC, generated hostname and a private password', async () => {
    const { deployment, password } = await core.deployments.request(
      { mac: '52-54-00-AB-CD-EF', os: 'ubuntu2404' },
      alice,
    );
    expect(deployment).toMatchObject({
      status: 'pending_approval',
      mac: '52:54:00:ab:cd:ef',
      hostname: 'srv-abcdef',
      profile: 'auto',
    });
    expect(password).toMatch(/^.{20}$/);
    const row = await core.orm.em
      .fork()
      .getConnection()
      .execute('select secrets, token_nonce from deployment where id = ?', [deployment.id]);
    expect(row[0]?.secrets).toMatch(/^v1\./);
    expect(row[0]?.secrets).not.toContain(password);
    expect((await core.deployments.secrets(deployment.id)).password).toBe(password);
  });

  it('picks the default edition and refuses an unknown one with the valid list', async () => {
    const { deployment } = await core.deployments.request({ mac: nextMac(), os: 'ws2025' }, alice);
    expect(deployment.edition).toBe('standard');
    await expect(
      core.deployments.request({ mac: nextMac(), os: 'ws2025', edition: 'home' }, alice),
    ).rejects.toThrow(
      /unknown edition "home" for ws2025; choose one of: datacenter, datacenter-core, standard, standard-core/,
    );
  });

  it.each([
    [{ mac: 'ff:ff:ff:ff:ff:ff', os: 'ubuntu2404' }, /broadcast/],
    [{ mac: '52:54:00:00:00:01', os: 'beos' }, /unknown os "beos"; choose one of: .*ubuntu2404/],
    [{ mac: '52:54:00:00:00:01', os: 'ws2025', hostname: 'bad&name' }, /letters, digits and hyphens/],
    [{ mac: '52:54:00:00:00:01', os: 'ubuntu2404', profile: 'xen' }, /unknown profile "xen"/],
    [{ os: 'ubuntu2404' }, /mac is required/],
  ])('refuses %j and stores nothing', async (input, message) => {
    const before = await core.deployments.repository().list();
    await expect(core.deployments.request(input, alice)).rejects.toThrow(message);
    expect((await core.deployments.repository().list()).total).toBe(before.total);
  });

  it('gives one deployment and one clear refusal for two simultaneous requests for one MAC', async () => {
    const mac = nextMac();
    const results = await Promise.allSettled([
      core.deployments.request({ mac, os: 'ubuntu2404' }, alice),
      core.deployments.request({ mac, os: 'debian12' }, bob),
    ]);
    const ok = results.filter((r) => r.status === 'fulfilled');
    const refused = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(ok).toHaveLength(1);
    expect(refused).toHaveLength(1);
    expect(refused[0]!.reason).toMatchObject({ code: 'deploy:mac-in-use', status: 409 });
    expect(refused[0]!.reason.message).toMatch(
      new RegExp(`${mac} already has deployment #\\d+ \\(pending_approval\\)`),
    );
  });

  it('allows a new deployment for a MAC once the previous one ended', async () => {
    const { deployment } = await request();
    await core.deployments.cancel(deployment.id, alice, nobody);
    await expect(
      core.deployments.request({ mac: deployment.mac, os: 'ubuntu2404' }, alice),
    ).resolves.toBeTruthy();
  });
});

describe('decisions', () => {
  it('lets exactly one of two simultaneous approvers win; the other learns who did', async () => {
    const { deployment } = await request();
    const results = await Promise.allSettled([
      core.deployments.approve(deployment.id, bob, approver),
      core.deployments.approve(deployment.id, carol, approver),
    ]);
    const refused = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect(refused).toHaveLength(1);
    expect(refused[0]!.reason.message).toMatch(/^deployment #\d+ was already approved by (bob|carol)$/);
    const decisions = await core.orm.em.fork().find(Decision, { deploymentId: deployment.id });
    expect(decisions.filter((d) => d.accepted)).toHaveLength(1);
    expect(decisions.filter((d) => !d.accepted)).toHaveLength(1);
  });

  it('refuses self-approval and non-approvers, and audits both', async () => {
    const { deployment } = await request({}, alice);
    await expect(core.deployments.approve(deployment.id, alice, approver)).rejects.toThrow(
      /alice requested deployment #\d+ and cannot approve it too/,
    );
    await expect(core.deployments.approve(deployment.id, bob, nobody)).rejects.toMatchObject({
      code: 'deploy:not-approver',
      status: 403,
    });
    expect((await core.deployments.repository().get(deployment.id)).status).toBe('pending_approval');
    const audit = await core.deployments.repository().decisions(deployment.id);
    expect(audit.map((d) => [d.actorName, d.verdict, d.accepted])).toEqual([
      ['alice', 'approve', false],
      ['bob', 'approve', false],
    ]);
  });

  it('allows self-approval when configured', async () => {
    const permissive = await createTestCore({ ALLOW_SELF_APPROVAL: 'true' });
    try {
      const { deployment } = await permissive.deployments.request(
        { mac: nextMac(), os: 'ubuntu2404' },
        alice,
      );
      await expect(permissive.deployments.approve(deployment.id, alice, approver)).resolves.toMatchObject({
        status: 'approved',
      });
    } finally {
      await permissive.close();
    }
  });

  it('lets the requester reject or cancel but not a bystander', async () => {
    const { deployment } = await request({}, alice);
    await expect(core.deployments.reject(deployment.id, carol, nobody)).rejects.toMatchObject({
      code: 'deploy:not-approver',
    });
    await expect(core.deployments.reject(deployment.id, alice, nobody, 'wrong box')).resolves.toMatchObject({
      status: 'rejected',
    });
    await expect(core.deployments.approve(deployment.id, bob, approver)).rejects.toThrow(
      /was already rejected by alice/,
    );
  });

  it('expires only past the deadline and only while pending', async () => {
    const quick = await createTestCore({ APPROVAL_TIMEOUT_MINUTES: '0.0001' });
    try {
      const { deployment } = await quick.deployments.request({ mac: nextMac(), os: 'ubuntu2404' }, alice);
      await new Promise((r) => setTimeout(r, 20));
      expect(await quick.deployments.expire(deployment.id)).toMatchObject({ status: 'expired' });
      expect(await quick.deployments.expire(deployment.id)).toBeNull();
    } finally {
      await quick.close();
    }
    const { deployment } = await request();
    expect(await core.deployments.expire(deployment.id)).toBeNull();
  });
});

describe('installer events', () => {
  async function booted() {
    const { deployment } = await request({ hostname: 'web01' });
    await core.deployments.approve(deployment.id, bob, approver);
    await core.deployments.markBooting(
      deployment.id,
      { platform: 'efi', arch: 'x86_64', manufacturer: 'QEMU' },
      'kvm',
    );
    return deployment.id;
  }

  it('walks the lifecycle to done and registers the system', async () => {
    const id = await booted();
    expect(
      (
        await core.deployments.recordEvent(id, {
          stage: 'installer',
          message: 'curtin',
          progress: 10,
          source: 'installer',
        })
      ).deployment.status,
    ).toBe('installing');
    expect(
      (await core.deployments.recordEvent(id, { stage: 'first_boot', source: 'installer' })).deployment
        .status,
    ).toBe('configuring');
    const done = await core.deployments.recordEvent(id, { stage: 'done', source: 'installer' });
    expect(done).toMatchObject({ changed: true, deployment: { status: 'done', progress: 100 } });
    const system = await core.orm.em.fork().findOneOrFail(System, { mac: done.deployment.mac });
    expect(system).toMatchObject({
      hostname: 'web01',
      os: 'ubuntu2404',
      lastDeploymentId: id,
      manufacturer: 'QEMU',
    });
    const stages = (await core.deployments.repository().events(id)).map((e) => [e.stage, e.state]);
    expect(stages).toEqual([
      ['requested', 'pending_approval'],
      ['approved', 'approved'],
      ['booting', 'booting'],
      ['installer', 'installing'],
      ['first_boot', 'configuring'],
      ['done', 'done'],
    ]);
  });

  it('records late and duplicate events without moving backwards', async () => {
    const id = await booted();
    await core.deployments.recordEvent(id, { stage: 'configuring', source: 'installer' });
    const late = await core.deployments.recordEvent(id, { stage: 'installing', source: 'installer' });
    expect(late).toMatchObject({
      changed: false,
      deployment: { status: 'configuring' },
      event: { state: null },
    });
    await core.deployments.recordEvent(id, { stage: 'done', source: 'installer' });
    const afterDone = await core.deployments.recordEvent(id, {
      stage: 'failed',
      message: 'late',
      source: 'installer',
    });
    expect(afterDone).toMatchObject({ changed: false, deployment: { status: 'done', failureReason: null } });
  });

  it('records 50 parallel events on one deployment, all of them, with a consistent state', async () => {
    const id = await booted();
    const stages = ['installer', 'progress', 'image_downloading', 'configuring', 'installer'] as const;
    await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        core.deployments.recordEvent(id, {
          stage: stages[i % stages.length]!,
          progress: i * 2,
          source: 'installer',
        }),
      ),
    );
    const events = await core.deployments.repository().events(id);
    expect(events.filter((e) => e.source === 'installer')).toHaveLength(50);
    expect(events.filter((e) => e.state === 'installing')).toHaveLength(1);
    expect(events.filter((e) => e.state === 'configuring')).toHaveLength(1);
    expect((await core.deployments.repository().get(id)).status).toBe('configuring');
  });

  it('stores stages of many machines arriving at once, each with its own state change and system', async () => {
    const ids = await Promise.all(Array.from({ length: 20 }, () => booted()));
    const answers = await Promise.all(
      ids.map((id, i) =>
        core.deployments.recordEvent(id, { stage: i % 2 ? 'done' : 'installer', source: 'installer' }),
      ),
    );
    answers.forEach((answer, i) => {
      expect(answer).toMatchObject({
        changed: true,
        deployment: { id: ids[i], status: i % 2 ? 'done' : 'installing' },
        event: { deploymentId: ids[i], state: i % 2 ? 'done' : 'installing' },
      });
    });
    const macs = answers.filter((_, i) => i % 2).map((a) => a.deployment.mac);
    expect(await core.orm.em.fork().count(System, { mac: { $in: macs } })).toBe(10);
  });

  it("keeps the order of one machine's stages sent at once: the later stage wins", async () => {
    const id = await booted();
    const [first, second] = await Promise.all([
      core.deployments.recordEvent(id, { stage: 'installer', source: 'installer' }),
      core.deployments.recordEvent(id, { stage: 'first_boot', source: 'installer' }),
    ]);
    expect(first).toMatchObject({
      changed: true,
      previousStatus: 'booting',
      deployment: { status: 'installing' },
    });
    expect(second).toMatchObject({
      changed: true,
      previousStatus: 'installing',
      deployment: { status: 'configuring' },
    });
    const stages = (await core.deployments.repository().events(id)).map((e) => [e.stage, e.state]);
    expect(stages.slice(-2)).toEqual([
      ['installer', 'installing'],
      ['first_boot', 'configuring'],
    ]);
  });

  it('moves a machine that fetched its script twice at once to booting once, and tells both it is booting', async () => {
    const { deployment } = await request();
    await core.deployments.approve(deployment.id, bob, approver);
    const both = await Promise.all(
      ['efi', 'pcbios'].map((platform) => core.deployments.markBooting(deployment.id, { platform }, 'kvm')),
    );
    expect(both.map((d) => d.status)).toEqual(['booting', 'booting']);
    const booting = (await core.deployments.repository().events(deployment.id)).filter(
      (e) => e.stage === 'booting',
    );
    expect(booting).toHaveLength(1);
  });

  it('answers "does not exist" for a stage of an unknown deployment, storing nothing', async () => {
    await expect(
      core.deployments.recordEvent(2_000_000_000, { stage: 'installer', source: 'installer' }),
    ).rejects.toThrow(/deployment #2000000000 does not exist/);
  });

  it('refuses unknown stages and bad progress, recording nothing', async () => {
    const id = await booted();
    const before = (await core.deployments.repository().events(id)).length;
    await expect(core.deployments.recordEvent(id, { stage: 'rm -rf', source: 'installer' })).rejects.toThrow(
      /unknown stage "rm -rf"; valid stages: installing, /,
    );
    await expect(
      core.deployments.recordEvent(id, { stage: 'progress', progress: 101, source: 'installer' }),
    ).rejects.toThrow(/0 to 100/);
    expect((await core.deployments.repository().events(id)).length).toBe(before);
  });

  it('fails a stale deployment through the watchdog, once', async () => {
    const id = await booted();
    const future = new Date(Date.now() + 60_000);
    expect(
      await core.deployments.failIfStale(id, 'booting', future, 'no installer stage within 30 minutes'),
    ).toBe(true);
    expect(await core.deployments.failIfStale(id, 'booting', future, 'again')).toBe(false);
    expect(await core.deployments.repository().get(id)).toMatchObject({
      status: 'failed',
      failureReason: 'no installer stage within 30 minutes',
    });
  });
});

describe('images for rendering', () => {
  it('come from a cache that an edit through the repository clears at once', async () => {
    const before = await core.deployments.image('ubuntu2404');
    const repo = core.deployments.images();
    const current = await repo.get('ubuntu2404');
    const { createdAt: _c, updatedAt: _u, source: _s, ...input } = current;
    await repo.update('ubuntu2404', { ...input, name: `${before.name} (edited)` });
    try {
      expect((await core.deployments.image('ubuntu2404')).name).toBe(`${before.name} (edited)`);
    } finally {
      await core.deployments.images().update('ubuntu2404', { ...input, name: before.name });
    }
  });
});

describe('images for rendering, across replicas', () => {
  it("see another process's image edit through Postgres notifications, not after a timeout", async () => {
    const replica = await createCore(core.config, createLogger({ level: 'silent' }), { migrate: false });
    const setNameByHand = (name: string) =>
      core.sql.query('update os_image set name = $1 where id = $2', [name, 'debian12']);
    const original = (await core.deployments.images().get('debian12')).name;
    try {
      // A change made by hand (no notification) stays unseen once the replica listens and caches.
      await until(async () => {
        const before = (await replica.deployments.image('debian12')).name;
        await setNameByHand('edited by hand');
        const seen = (await replica.deployments.image('debian12')).name;
        await setNameByHand(original);
        if (before === original && seen === original) return true;
        replica.deployments.forgetImages(); // it cached the hand edit while it started listening
        return false;
      }, 'the replica caches images');
      const repo = core.deployments.images();
      const { createdAt: _c, updatedAt: _u, source: _s, ...input } = await repo.get('debian12');
      await repo.update('debian12', { ...input, name: 'Debian 12 (edited on another replica)' });
      await until(
        async () =>
          (await replica.deployments.image('debian12')).name === 'Debian 12 (edited on another replica)',
        'the replica sees the edit',
      );
    } finally {
      await replica.close();
    }
  });
});

describe('tokens', () => {
  it('resolve while active, stop for artifacts at the end, and stay valid for callbacks during the grace period', async () => {
    const { deployment } = await request();
    const token = core.deployments.tokenFor(deployment);
    expect((await core.deployments.resolveToken(token, 'artifact'))?.id).toBe(deployment.id);
    await core.deployments.cancel(deployment.id, alice, nobody);
    expect(await core.deployments.resolveToken(token, 'artifact')).toBeNull();
    expect((await core.deployments.resolveToken(token, 'callback'))?.id).toBe(deployment.id);
    expect(await core.deployments.resolveToken(`${deployment.id}.${'A'.repeat(43)}`, 'callback')).toBeNull();
  });
});

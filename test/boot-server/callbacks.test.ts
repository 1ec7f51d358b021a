import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STAGES } from '../../core/deployments/stages.js';
import { alice, approver, bob } from '../support/test-core.js';
import {
  counterValue,
  startTestBootServer,
  type TestBootServer,
  TINY_IMAGE,
} from './helpers/boot-server-fixture.js';

let t: TestBootServer;
let nextMac = 0x10;

beforeAll(async () => {
  t = await startTestBootServer({ TOKEN_GRACE_MINUTES: '15' });
  await t.core.deployments.images().create(TINY_IMAGE);
});
afterAll(() => t?.close());

/** A deployment the boot server has handed its install script to, and its callback URL. */
async function booting() {
  const mac = `52:54:00:00:02:${(nextMac++).toString(16).padStart(2, '0')}`;
  const { deployment } = await t.core.deployments.request({ mac, os: 'tinylinux' }, alice);
  await t.core.deployments.approve(deployment.id, bob, approver);
  await fetch(`${t.boot}/ipxe/${mac}?platform=pcbios`);
  const token = t.core.deployments.tokenFor(deployment);
  return { id: deployment.id, url: `${t.boot}/cb/${token}`, token };
}

const form = (url: string, body: string) =>
  fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body });
const json = (url: string, body: unknown) =>
  fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
const events = (id: number) => t.core.deployments.repository().events(id);
const status = async (id: number) => (await t.core.deployments.repository().get(id)).status;

describe('POST /cb/:token', () => {
  it('records a form post (busybox wget, curl.exe) and moves the deployment to installing', async () => {
    const d = await booting();
    const res = await form(d.url, 'status=installing&message=partitioning+disk&progress=10');
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      recorded: true,
      stage: 'installing',
      status: 'installing',
      changed: true,
    });
    // Persisted before the answer: visible to a fresh read at once.
    expect((await events(d.id)).at(-1)).toMatchObject({
      stage: 'installing',
      message: 'partitioning disk',
      progress: 10,
      source: 'installer',
      state: 'installing',
    });
    expect(await status(d.id)).toBe('installing');
  });

  it('says whether Secure Boot was on, with the stage message', async () => {
    const on = await booting();
    await form(on.url, 'status=installing&message=kernel+up&secureBoot=1');
    expect((await events(on.id)).at(-1)).toMatchObject({
      stage: 'installing',
      message: 'Secure Boot on, kernel up',
    });
    const off = await booting();
    await json(off.url, { status: 'installing', secureBoot: 'off' });
    expect((await events(off.id)).at(-1)).toMatchObject({ message: 'Secure Boot off' });
    const bad = await form(off.url, 'status=progress&secureBoot=maybe');
    expect(bad.status).toBe(422);
    expect(await bad.json()).toMatchObject({
      detail: expect.stringContaining('secureBoot must be on or off'),
    });
  });

  it('records JSON, keeps progress and walks the lifecycle to done, creating the system entry', async () => {
    const d = await booting();
    for (const [stage, progress] of [
      ['image_applied', 60],
      ['configuring', 90],
      ['done', undefined],
    ] as const) {
      expect((await json(d.url, { status: stage, progress })).status).toBe(200);
    }
    const deployment = await t.core.deployments.repository().get(d.id);
    expect(deployment).toMatchObject({ status: 'done', progress: 100 });
    expect((await events(d.id)).map((e) => [e.stage, e.state])).toEqual([
      ['requested', 'pending_approval'],
      ['approved', 'approved'],
      ['booting', 'booting'],
      ['image_applied', 'installing'],
      ['configuring', 'configuring'],
      ['done', 'done'],
    ]);
    const systems = await (await t.apiFetch('/api/v1/systems')).json();
    expect(systems.items.map((s: { lastDeploymentId: number }) => s.lastDeploymentId)).toContain(d.id);
  });

  it('records a late or duplicate stage without moving the deployment backwards', async () => {
    const d = await booting();
    await form(d.url, 'status=configuring');
    const res = await form(d.url, 'status=installing&message=late');
    expect(await res.json()).toMatchObject({ recorded: true, status: 'configuring', changed: false });
    expect((await events(d.id)).at(-1)).toMatchObject({ stage: 'installing', state: null, message: 'late' });
  });

  it('fails the deployment with the installer message', async () => {
    const d = await booting();
    await json(d.url, { status: 'failed', message: 'no disk found' });
    expect(await t.core.deployments.repository().get(d.id)).toMatchObject({
      status: 'failed',
      failureReason: 'no disk found',
    });
  });

  it('accepts callbacks within the grace period after the deployment ended', async () => {
    const d = await booting();
    await form(d.url, 'status=done');
    expect((await form(d.url, 'status=progress&message=cleanup')).status).toBe(200);
  });

  it('refuses an unknown stage with 422 listing the valid ones, and records nothing', async () => {
    const d = await booting();
    const before = (await events(d.id)).length;
    const res = await form(d.url, 'status=rebooted');
    expect(res.status).toBe(422);
    const body = await res.json();
    expect(body).toMatchObject({
      error: 'callback:unknown-stage',
      info: { validStages: Object.keys(STAGES) },
    });
    expect(body.detail).toContain('unknown stage "rebooted"; valid stages: installing, configuring, done');
    expect((await events(d.id)).length).toBe(before);
  });

  it.each([
    ['no status', 'message=hello', 'status is required'],
    [
      'progress out of range',
      'status=progress&progress=150',
      'progress must be a whole number from 0 to 100',
    ],
    ['progress not a number', 'status=progress&progress=half', 'progress must be a number from 0 to 100'],
  ])('refuses %s with 422', async (_name, body, detail) => {
    const d = await booting();
    const res = await form(d.url, body);
    expect(res.status).toBe(422);
    expect((await res.json()).detail).toContain(detail);
  });

  it('refuses bodies over 16 KiB with 413 and records nothing', async () => {
    const d = await booting();
    const before = (await events(d.id)).length;
    const res = await form(d.url, `status=progress&message=${'x'.repeat(17 * 1024)}`);
    expect(res.status).toBe(413);
    expect((await res.json()).error).toBe('request:too-large');
    expect((await events(d.id)).length).toBe(before);
  });

  it('refuses other content types with 415', async () => {
    const d = await booting();
    const res = await fetch(d.url, {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: 'status=done',
    });
    expect(res.status).toBe(415);
  });

  it('answers the same 404 for a forged, malformed or expired token as for a deployment that never existed', async () => {
    const d = await booting();
    const forged = d.token.replace(/.$/, (c) => (c === 'A' ? 'B' : 'A'));
    const old = await booting();
    await t.core.deployments.cancel(old.id, alice, approver);
    await t.core.orm.em
      .fork()
      .getConnection()
      .execute(`update deployment set finished_at = now() - interval '1 hour' where id = ?`, [old.id]);
    const answers = await Promise.all(
      [
        `${t.boot}/cb/${forged}`,
        `${t.boot}/cb/999999.${'A'.repeat(43)}`,
        `${t.boot}/cb/nonsense`,
        old.url,
      ].map(async (url) => {
        const res = await form(url, 'status=installing');
        return [res.status, await res.text()];
      }),
    );
    expect(new Set(answers.map((a) => JSON.stringify(a))).size).toBe(1);
    expect(answers[0]).toEqual([404, JSON.stringify({ error: 'not-found', detail: 'not found' })]);
    expect(await status(d.id)).toBe('booting');
  });

  describe('subiquity/curtin reporting events', () => {
    const event = (over: Record<string, unknown>) => ({
      origin: 'curtin',
      timestamp: 1700000000.1,
      description: 'configuring apt',
      ...over,
    });

    it('maps installer steps to the installer stage, failures to failed, and skips API chatter', async () => {
      const d = await booting();
      const start = await json(d.url, event({ event_type: 'start', name: 'subiquity/Install/install' }));
      expect(await start.json()).toMatchObject({ recorded: true, stage: 'installer', status: 'installing' });
      const chatter = await json(
        d.url,
        event({ event_type: 'finish', name: 'subiquity/Meta/status_GET', result: 'SUCCESS' }),
      );
      expect(chatter.status).toBe(202);
      expect(await chatter.json()).toMatchObject({ recorded: false });
      const step = await json(
        d.url,
        event({ event_type: 'finish', name: 'subiquity/Install/install/configure_apt', result: 'SUCCESS' }),
      );
      expect(step.status).toBe(200);
      const fail = await json(
        d.url,
        event({
          event_type: 'finish',
          name: 'subiquity/Install/install/curtin_install',
          result: 'FAIL',
          description: 'curtin command failed',
        }),
      );
      expect(await fail.json()).toMatchObject({ stage: 'failed', status: 'failed' });
      const recorded = (await events(d.id)).slice(3);
      expect(recorded.map((e) => [e.stage, e.message])).toEqual([
        ['installer', 'started subiquity/Install/install: configuring apt'],
        ['installer', 'finished subiquity/Install/install/configure_apt: configuring apt'],
        ['failed', 'installer step failed: subiquity/Install/install/curtin_install: curtin command failed'],
      ]);
      expect((await t.core.deployments.repository().get(d.id)).failureReason).toContain(
        'curtin command failed',
      );
      expect(
        await counterValue(t.registry, 'octofleet_callbacks_total', {
          stage: 'installer',
          outcome: 'ignored',
        }),
      ).toBeGreaterThan(0);
    });
  });
});

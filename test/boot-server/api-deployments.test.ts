import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestBootServer, type TestBootServer, TINY_IMAGE } from './helpers/boot-server-fixture.js';

let t: TestBootServer;
beforeAll(async () => {
  t = await startTestBootServer();
  await t.core.deployments.images().create(TINY_IMAGE);
});
afterAll(() => t?.close());

let nextMac = 0x10;
const freshMac = () => `52-54-00-00-04-${(nextMac++).toString(16).padStart(2, '0')}`;
const post = (path: string, json?: unknown) => t.apiFetch(path, { method: 'POST', json });
const total = async () => (await (await t.apiFetch('/api/v1/deployments')).json()).total as number;

describe('/api/v1/deployments', () => {
  it('creates a pending deployment (201) with the canonical MAC, a Location and the password once', async () => {
    const res = await post('/api/v1/deployments', {
      mac: '52-54-00-12-34-56',
      os: 'tinylinux',
      hostname: 'srv01',
    });
    expect(res.status).toBe(201);
    const body = await res.json();
    expect(body).toMatchObject({
      status: 'pending_approval',
      mac: '52:54:00:12:34:56',
      os: 'tinylinux',
      hostname: 'srv01',
      profile: 'auto',
      requestedBy: { platform: 'api', id: 'api-request', name: 'api' },
    });
    expect(body.password).toMatch(/^\S{20}$/);
    expect(res.headers.get('location')).toBe(`/api/v1/deployments/${body.id}`);
    expect(JSON.stringify(body)).not.toMatch(/tokenNonce|secrets/);
    // The password is not stored in the clear and not shown again.
    expect(JSON.stringify(await (await t.apiFetch(`/api/v1/deployments/${body.id}`)).json())).not.toContain(
      body.password,
    );
  });

  it('refuses a second active deployment for the same MAC with 409 naming the first', async () => {
    const mac = freshMac();
    const first = await (await post('/api/v1/deployments', { mac, os: 'tinylinux' })).json();
    const res = await post('/api/v1/deployments', { mac: mac.replaceAll('-', ''), os: 'tinylinux' });
    expect(res.status).toBe(409);
    expect(await res.json()).toMatchObject({
      error: 'deploy:mac-in-use',
      detail: expect.stringContaining(`#${first.id}`),
      info: { deploymentId: first.id, status: 'pending_approval' },
    });
  });

  it.each([
    ['a bad MAC', { mac: 'zz:zz', os: 'tinylinux' }, 'input:invalid', 'not a MAC address'],
    [
      'an unknown OS',
      { mac: '52-54-00-00-05-01', os: 'nope' },
      'deploy:unknown-os',
      'unknown os "nope"; choose one of:',
    ],
    [
      'an unknown field',
      { mac: '52-54-00-00-05-02', os: 'tinylinux', token: 'x' },
      'input:invalid',
      'Unrecognized key',
    ],
    ['a missing os', { mac: '52-54-00-00-05-03' }, 'input:invalid', 'os is required (see /images)'],
    [
      'an unknown profile',
      { mac: '52-54-00-00-05-04', os: 'tinylinux', profile: 'cray' },
      'input:invalid',
      'unknown profile',
    ],
    [
      'an edition for an image without editions',
      { mac: '52-54-00-00-05-05', os: 'tinylinux', edition: 'pro' },
      'deploy:unknown-edition',
      'has no editions',
    ],
    [
      'an image without signed boot files for a Secure Boot machine',
      { mac: '52-54-00-00-05-06', os: 'tinylinux', secureBoot: true },
      'deploy:secure-boot-unsupported',
      'tinylinux is not Secure Boot capable',
    ],
  ])('answers 422 {error, detail} for %s and stores nothing', async (_name, body, error, detail) => {
    const before = await total();
    const res = await post('/api/v1/deployments', body);
    expect(res.status).toBe(422);
    const answer = await res.json();
    expect(answer.error).toBe(error);
    expect(answer.detail).toContain(detail);
    expect(await total()).toBe(before);
  });

  it('answers 415 for a body that is not JSON and 400 for broken JSON', async () => {
    const form = await t.apiFetch('/api/v1/deployments', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'mac=52-54-00-00-05-06&os=tinylinux',
    });
    expect(form.status).toBe(415);
    const broken = await t.apiFetch('/api/v1/deployments', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"mac":',
    });
    expect(broken.status).toBe(400);
    expect((await broken.json()).error).toBe('request:invalid-body');
  });

  it('approves as the API (200), and a second approval is a 409', async () => {
    const d = await (await post('/api/v1/deployments', { mac: freshMac(), os: 'tinylinux' })).json();
    const res = await post(`/api/v1/deployments/${d.id}/approve`);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ id: d.id, status: 'approved' });
    const again = await post(`/api/v1/deployments/${d.id}/approve`);
    expect(again.status).toBe(409);
    expect(await again.json()).toMatchObject({
      error: 'deploy:already-decided',
      detail: expect.stringContaining('already approved by api'),
    });

    const detail = await (await t.apiFetch(`/api/v1/deployments/${d.id}`)).json();
    expect(detail.events.map((e: { stage: string }) => e.stage)).toEqual(['requested', 'approved']);
    expect(detail.decisions).toEqual([
      expect.objectContaining({
        verdict: 'approve',
        accepted: true,
        actor: { platform: 'api', id: 'api', name: 'api' },
      }),
      expect.objectContaining({ verdict: 'approve', accepted: false }),
    ]);
  });

  it('rejects and cancels with a reason', async () => {
    const a = await (await post('/api/v1/deployments', { mac: freshMac(), os: 'tinylinux' })).json();
    const rejected = await post(`/api/v1/deployments/${a.id}/reject`, { reason: 'wrong rack' });
    expect(await rejected.json()).toMatchObject({ status: 'rejected' });
    const b = await (await post('/api/v1/deployments', { mac: freshMac(), os: 'tinylinux' })).json();
    await post(`/api/v1/deployments/${b.id}/approve`);
    const cancelled = await post(`/api/v1/deployments/${b.id}/cancel`, { reason: 'changed my mind' });
    expect(await cancelled.json()).toMatchObject({ status: 'cancelled', failureReason: 'changed my mind' });
    const multiLine = await post(`/api/v1/deployments/${b.id}/cancel`, { reason: 'a\nb' });
    expect(multiLine.status).toBe(422);
  });

  it('answers 404 for a deployment that does not exist', async () => {
    for (const id of ['999999', 'abc', '1e3']) {
      const res = await t.apiFetch(`/api/v1/deployments/${id}`);
      expect([id, res.status, (await res.json()).error]).toEqual([id, 404, 'deploy:not-found']);
    }
    expect((await post('/api/v1/deployments/999999/approve')).status).toBe(404);
  });

  it('lists newest first with limit, offset, total and a status filter', async () => {
    const all = await (await t.apiFetch('/api/v1/deployments?limit=200')).json();
    expect(all.total).toBeGreaterThan(4);
    const ids = all.items.map((d: { id: number }) => d.id);
    expect(ids).toEqual([...ids].sort((a, b) => b - a));
    const page = await (await t.apiFetch('/api/v1/deployments?limit=2&offset=1')).json();
    expect(page).toMatchObject({ limit: 2, offset: 1, total: all.total });
    expect(page.items.map((d: { id: number }) => d.id)).toEqual(ids.slice(1, 3));
    const pending = await (await t.apiFetch('/api/v1/deployments?status=pending_approval,rejected')).json();
    expect(
      pending.items.every((d: { status: string }) => ['pending_approval', 'rejected'].includes(d.status)),
    ).toBe(true);
    expect(pending.total).toBe(
      all.items.filter((d: { status: string }) => ['pending_approval', 'rejected'].includes(d.status)).length,
    );
    for (const query of ['limit=0', 'limit=201', 'offset=-1', 'status=bogus']) {
      expect([query, (await t.apiFetch(`/api/v1/deployments?${query}`)).status]).toEqual([query, 422]);
    }
  });
});

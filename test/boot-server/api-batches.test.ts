import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestBootServer, type TestBootServer, TINY_IMAGE } from './helpers/boot-server-fixture.js';

let t: TestBootServer;
beforeAll(async () => {
  t = await startTestBootServer();
  await t.core.deployments.images().create(TINY_IMAGE);
});
afterAll(() => t?.close());

let next = 0x10;
const freshMac = () => `52-54-00-00-07-${(next++).toString(16).padStart(2, '0')}`;
const post = (path: string, json?: unknown) => t.apiFetch(path, { method: 'POST', json });
const deploymentCount = async () =>
  (await (await t.apiFetch('/api/v1/deployments?limit=1')).json()).total as number;

describe('/api/v1/batches', () => {
  it('creates a batch (201) with one pending deployment per machine, in order, and the passwords once', async () => {
    const [a, b, c] = [freshMac(), freshMac(), freshMac()];
    const res = await post('/api/v1/batches', {
      os: 'tinylinux',
      profile: 'kvm',
      machines: [{ mac: a, hostname: 'web01' }, { mac: b, hostname: 'web02' }, { mac: c }],
    });
    expect(res.status).toBe(201);
    const body = await res.json();
    expect(res.headers.get('location')).toBe(`/api/v1/batches/${body.id}`);
    expect(body).toMatchObject({
      status: 'pending_approval',
      os: 'tinylinux',
      profile: 'kvm',
      size: 3,
      counts: { pending_approval: 3, done: 0 },
      deployments: [
        { mac: a.replaceAll('-', ':'), hostname: 'web01', status: 'pending_approval' },
        { mac: b.replaceAll('-', ':'), hostname: 'web02', status: 'pending_approval' },
        { mac: c.replaceAll('-', ':'), hostname: 'srv-000712', status: 'pending_approval' },
      ],
    });
    for (const d of body.deployments) expect(d.password).toMatch(/^\S{20}$/);
    const member = await (await t.apiFetch(`/api/v1/deployments/${body.deployments[0].id}`)).json();
    expect(member).toMatchObject({ batchId: body.id, profile: 'kvm', status: 'pending_approval' });
    const detail = await (await t.apiFetch(`/api/v1/batches/${body.id}`)).json();
    expect(JSON.stringify(detail)).not.toContain(body.deployments[0].password);
  });

  it('refuses the whole batch naming every bad item (index and reason), and creates nothing', async () => {
    const busy = freshMac();
    const held = await (await post('/api/v1/deployments', { mac: busy, os: 'tinylinux' })).json();
    const good = freshMac();
    const before = await deploymentCount();
    const res = await post('/api/v1/batches', {
      os: 'tinylinux',
      machines: [
        { mac: good, hostname: 'ok01' },
        { mac: 'zz:zz' },
        { mac: good.replaceAll('-', '') },
        { mac: busy },
        { mac: freshMac(), hostname: 'bad_name!' },
        { serial: 'x' },
        { machine: 'web07' },
      ],
    });
    expect(res.status).toBe(422);
    const body = await res.json();
    expect(body.error).toBe('batch:invalid');
    expect(body.detail).toMatch(/^batch refused, nothing was created; 6 bad item\(s\)/);
    expect(body.info.items).toEqual([
      expect.objectContaining({ index: 1, target: 'zz:zz', reason: expect.stringContaining('not a MAC') }),
      expect.objectContaining({
        index: 2,
        code: 'batch:duplicate',
        reason: expect.stringContaining('also item 0'),
      }),
      expect.objectContaining({ index: 3, code: 'deploy:mac-in-use', deploymentId: held.id }),
      expect.objectContaining({ index: 4, reason: expect.stringContaining('hostname "bad_name!"') }),
      expect.objectContaining({ index: 5, code: 'input:invalid' }),
      expect.objectContaining({
        index: 6,
        target: 'web07',
        code: 'machine:not-found',
        reason: 'no machine named web07 in the inventory',
      }),
    ]);
    expect(await deploymentCount()).toBe(before);
    // The good MAC is still free: nothing of the refused batch was kept.
    expect((await post('/api/v1/deployments', { mac: good, os: 'tinylinux' })).status).toBe(201);
  });

  it('answers 409 naming each busy MAC when that is the only problem', async () => {
    const [x, y] = [freshMac(), freshMac()];
    const first = await (
      await post('/api/v1/batches', { os: 'tinylinux', machines: [{ mac: x }, { mac: y }] })
    ).json();
    const res = await post('/api/v1/batches', {
      os: 'tinylinux',
      machines: [{ mac: freshMac() }, { mac: y }, { mac: x }],
    });
    expect(res.status).toBe(409);
    const body = await res.json();
    expect(body.error).toBe('batch:mac-in-use');
    expect(
      body.info.items.map((p: { index: number; deploymentId: number }) => [p.index, p.deploymentId]),
    ).toEqual([
      [1, first.deployments[1].id],
      [2, first.deployments[0].id],
    ]);
  });

  it.each([
    [
      'an unknown OS (once, not per machine)',
      { os: 'nope', machines: [{ mac: '52-54-00-00-08-01' }] },
      'deploy:unknown-os',
    ],
    ['no machines', { os: 'tinylinux', machines: [] }, 'input:invalid'],
    [
      'an unknown field',
      { os: 'tinylinux', machines: [{ mac: '52-54-00-00-08-02' }], rack: 1 },
      'input:invalid',
    ],
    [
      'more than 500 machines',
      { os: 'tinylinux', machines: Array.from({ length: 501 }, () => ({ mac: '52-54-00-00-08-03' })) },
      'input:invalid',
    ],
  ])('refuses %s with 422', async (_name, json, code) => {
    const before = await deploymentCount();
    const res = await post('/api/v1/batches', json);
    expect(res.status).toBe(422);
    expect((await res.json()).error).toBe(code);
    expect(await deploymentCount()).toBe(before);
  });

  it('approves every member with one decision; approving twice is 409; counts follow the members', async () => {
    const created = await (
      await post('/api/v1/batches', { os: 'tinylinux', machines: [{ mac: freshMac() }, { mac: freshMac() }] })
    ).json();
    const approved = await post(`/api/v1/batches/${created.id}/approve`);
    expect(approved.status).toBe(200);
    expect(await approved.json()).toMatchObject({
      status: 'approved',
      counts: { approved: 2, pending_approval: 0 },
    });
    const again = await post(`/api/v1/batches/${created.id}/approve`);
    expect(again.status).toBe(409);
    expect(await again.json()).toMatchObject({
      error: 'batch:already-decided',
      detail: `batch #${created.id} was already approved by api`,
    });
    // One member cancelled on its own, the rest of the batch carries on.
    await post(`/api/v1/deployments/${created.deployments[0].id}/cancel`, {});
    const detail = await (await t.apiFetch(`/api/v1/batches/${created.id}`)).json();
    expect(detail).toMatchObject({ status: 'approved', counts: { approved: 1, cancelled: 1 } });
    expect(
      detail.decisions.map((d: { verdict: string; accepted: boolean }) => [d.verdict, d.accepted]),
    ).toEqual([
      ['approve', true],
      ['approve', false],
    ]);
    const member = await (await t.apiFetch(`/api/v1/deployments/${created.deployments[1].id}`)).json();
    expect(member.events.map((e: { stage: string }) => e.stage)).toEqual(['requested', 'approved']);
    const cancelled = await (
      await post(`/api/v1/batches/${created.id}/cancel`, { reason: 'rack moved' })
    ).json();
    expect(cancelled).toMatchObject({ status: 'cancelled', counts: { cancelled: 2 } });
  });

  it('takes machines of the inventory by name, with their MAC and name', async () => {
    for (const [name, mac] of [
      ['inv01', '52:54:00:00:0c:01'],
      ['inv02', '52:54:00:00:0c:02'],
    ]) {
      const put = await t.apiFetch(`/api/v1/machines/${name}`, { method: 'PUT', json: { mac } });
      expect(put.status).toBe(201);
    }
    const res = await post('/api/v1/batches', {
      os: 'tinylinux',
      machines: [{ machine: 'inv01' }, { machine: 'INV02' }, { mac: freshMac(), hostname: 'x1' }],
    });
    expect(res.status).toBe(201);
    expect((await res.json()).deployments).toEqual([
      expect.objectContaining({ mac: '52:54:00:00:0c:01', hostname: 'inv01' }),
      expect.objectContaining({ mac: '52:54:00:00:0c:02', hostname: 'inv02' }),
      expect.objectContaining({ hostname: 'x1' }),
    ]);
  });

  it('rejects a pending batch, and answers 404 for an unknown one', async () => {
    const created = await (
      await post('/api/v1/batches', { os: 'tinylinux', machines: [{ mac: freshMac() }] })
    ).json();
    const res = await post(`/api/v1/batches/${created.id}/reject`, { reason: 'wrong rack' });
    expect(await res.json()).toMatchObject({ status: 'rejected', counts: { rejected: 1 } });
    expect((await t.apiFetch('/api/v1/batches/424242')).status).toBe(404);
    expect((await t.apiFetch('/api/v1/batches/x1')).status).toBe(404);
  });
});

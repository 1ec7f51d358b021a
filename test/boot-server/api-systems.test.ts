import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestBootServer, type TestBootServer, TINY_IMAGE } from './helpers/boot-server-fixture.js';

let t: TestBootServer;
beforeAll(async () => {
  t = await startTestBootServer();
  await t.core.deployments.images().create(TINY_IMAGE);
});
afterAll(() => t?.close());

/** Takes a MAC through the whole flow over HTTP: request, approve, boot, callbacks. */
async function deploy(mac: string, hostname: string) {
  const d = await (
    await t.apiFetch('/api/v1/deployments', { method: 'POST', json: { mac, os: 'tinylinux', hostname } })
  ).json();
  await t.apiFetch(`/api/v1/deployments/${d.id}/approve`, { method: 'POST' });
  const script = await (
    await fetch(`${t.boot}/ipxe/${mac}?platform=efi&manufacturer=QEMU&product=KVM&serial=S1`)
  ).text();
  const cb = /cb=(\S+)/.exec(script)![1]!;
  for (const status of ['installing', 'configuring', 'done']) {
    await fetch(cb.replace('http://10.0.2.2:8080', t.boot), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: `status=${status}`,
    });
  }
  return d.id as number;
}

describe('/api/v1/systems', () => {
  it('is empty before any deployment finished', async () => {
    expect(await (await t.apiFetch('/api/v1/systems')).json()).toEqual({
      items: [],
      total: 0,
      limit: 50,
      offset: 0,
    });
  });

  it('lists a machine once its deployment is done, and finds it by MAC in any notation', async () => {
    const id = await deploy('52:54:00:00:07:01', 'web01');
    const list = await (await t.apiFetch('/api/v1/systems')).json();
    expect(list.total).toBe(1);
    expect(list.items[0]).toMatchObject({
      mac: '52:54:00:00:07:01',
      hostname: 'web01',
      os: 'tinylinux',
      manufacturer: 'QEMU',
      product: 'KVM',
      serial: 'S1',
      firstDeploymentId: id,
      lastDeploymentId: id,
    });
    const one = await t.apiFetch('/api/v1/systems/52-54-00-00-07-01');
    expect(await one.json()).toMatchObject({ hostname: 'web01' });
  });

  it('keeps the first deployment and updates the last on a reinstall', async () => {
    const first = await deploy('52:54:00:00:07:02', 'db01');
    const second = await deploy('52:54:00:00:07:02', 'db02');
    const system = await (await t.apiFetch('/api/v1/systems/525400000702')).json();
    expect(system).toMatchObject({ hostname: 'db02', firstDeploymentId: first, lastDeploymentId: second });
  });

  it('answers 404 for an unknown MAC and 422 for something else', async () => {
    expect((await t.apiFetch('/api/v1/systems/52-54-00-ff-ff-ff')).status).toBe(404);
    expect((await t.apiFetch('/api/v1/systems/banana')).status).toBe(422);
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Machine } from '../../core/machines/machine.entity.js';
import { PowerActionRecord } from '../../core/power/power-action.entity.js';
import { startFakeRedfish } from '../support/fake-redfish/fake-redfish.js';
import { startTestBootServer, type TestBootServer, TINY_IMAGE } from './helpers/boot-server-fixture.js';

let t: TestBootServer;
beforeAll(async () => {
  t = await startTestBootServer();
  await t.core.deployments.images().create(TINY_IMAGE);
});
afterAll(() => t?.close());

const PASSWORD = 'bmc-Secret-7f3a9c';
const web01 = {
  mac: '52-54-00-12-34-56',
  bmc: {
    driver: 'redfish',
    address: 'https://10.1.2.3/',
    username: 'root',
    password: PASSWORD,
    systemId: '1',
    verifyTls: true,
  },
  bootMode: 'uefi',
  profile: 'auto',
  tags: ['rack12', 'Web'],
};

const put = (name: string, json: unknown) => t.apiFetch(`/api/v1/machines/${name}`, { method: 'PUT', json });

describe('/api/v1/machines', () => {
  it('creates a machine (201), then replaces it (200); the password is never returned', async () => {
    const created = await put('web01', web01);
    expect(created.status).toBe(201);
    expect(created.headers.get('location')).toBe('/api/v1/machines/web01');
    const body = await created.json();
    expect(body).toMatchObject({
      name: 'web01',
      mac: '52:54:00:12:34:56',
      bmc: {
        driver: 'redfish',
        address: 'https://10.1.2.3',
        username: 'root',
        systemId: '1',
        hasPassword: true,
      },
      bootMode: 'uefi',
      tags: ['rack12', 'web'],
    });
    expect(JSON.stringify(body)).not.toContain(PASSWORD);

    const replaced = await put('web01', { ...web01, bootMode: 'legacy', tags: ['rack13'] });
    expect(replaced.status).toBe(200);
    expect(await replaced.json()).toMatchObject({ bootMode: 'legacy', tags: ['rack13'] });
    const read = await (await t.apiFetch('/api/v1/machines/WEB01')).json();
    expect(read).toMatchObject({ name: 'web01', bootMode: 'legacy', bmc: { hasPassword: true } });
    expect(JSON.stringify(read)).not.toContain(PASSWORD);
  });

  it('stores the BMC password encrypted, keeps it on a PUT without one, removes it with null', async () => {
    const row = await t.core.orm.em
      .fork()
      .findOneOrFail(Machine, { name: 'web01' }, { populate: ['bmcSecrets'] });
    expect(row.bmcSecrets).toMatch(/^v1\./);
    expect(row.bmcSecrets).not.toContain(PASSWORD);
    expect((await t.core.machines.secrets(row)).password).toBe(PASSWORD);

    const { password: _, ...withoutPassword } = web01.bmc;
    await put('web01', { ...web01, bmc: withoutPassword });
    expect((await (await t.apiFetch('/api/v1/machines/web01')).json()).bmc.hasPassword).toBe(true);
    await put('web01', { ...web01, bmc: { ...withoutPassword, password: null } });
    expect((await (await t.apiFetch('/api/v1/machines/web01')).json()).bmc.hasPassword).toBe(false);
    await put('web01', web01);
  });

  it('takes back what GET answered (GET → edit → PUT), keeping the password; changing a read-only field is a 422', async () => {
    const seen = await (await t.apiFetch('/api/v1/machines/web01')).json();
    const edited = await put('web01', { ...seen, tags: ['rack14'] });
    expect(edited.status).toBe(200);
    expect(await edited.json()).toMatchObject({ tags: ['rack14'], bmc: { hasPassword: true } });
    const row = await t.core.orm.em
      .fork()
      .findOneOrFail(Machine, { name: 'web01' }, { populate: ['bmcSecrets'] });
    expect((await t.core.machines.secrets(row)).password).toBe(PASSWORD);
    const renamed = await put('web01', { ...seen, createdAt: '2020-01-01T00:00:00.000Z' });
    expect(renamed.status).toBe(422);
    expect(await renamed.json()).toMatchObject({
      error: 'input:read-only',
      detail: expect.stringContaining('createdAt'),
    });
    const faked = await put('web01', { ...seen, bmc: { ...seen.bmc, hasPassword: false } });
    expect(faked.status).toBe(422);
    await put('web01', web01);
  });

  it('lists machines, filtered by tag', async () => {
    await put('db01', { mac: '52:54:00:12:34:57', tags: ['rack12'], bmc: { driver: 'manual' } });
    await put('web02', { mac: '52:54:00:12:34:58', tags: ['rack13'] });
    const all = await (await t.apiFetch('/api/v1/machines')).json();
    expect(all.total).toBe(3);
    expect(all.items.map((m: { name: string }) => m.name)).toEqual(['db01', 'web01', 'web02']);
    const rack12 = await (await t.apiFetch('/api/v1/machines?tag=rack12')).json();
    expect(rack12).toMatchObject({ total: 2 });
    expect(rack12.items.map((m: { name: string }) => m.name)).toEqual(['db01', 'web01']);
    expect(await t.core.machines.repository().findByNames(['web02', 'nope', 'WEB01'])).toMatchObject([
      { name: 'web02' },
      { name: 'web01' },
    ]);
    expect((await t.core.machines.repository().findByTag('rack13')).map((m) => m.name)).toEqual(['web02']);
  });

  it.each([
    ['a hostile name', 'web_01;rm', web01, /hostname/],
    ['a bad MAC', 'web09', { ...web01, mac: 'zz' }, /MAC/],
    ['an unknown driver', 'web09', { ...web01, bmc: { driver: 'telnet' } }, /driver/],
    [
      'a Redfish address that is not a URL',
      'web09',
      { ...web01, bmc: { ...web01.bmc, address: '10.1.2.3' } },
      /URL/,
    ],
    [
      'credentials in the URL',
      'web09',
      { ...web01, bmc: { ...web01.bmc, address: 'https://u:p@h' } },
      /credentials/,
    ],
    [
      'an IPMI address with a shell trick',
      'web09',
      { ...web01, bmc: { driver: 'ipmi', address: '-H;id', username: 'a' } },
      /address/,
    ],
    [
      'a user name read as an option',
      'web09',
      { ...web01, bmc: { driver: 'ipmi', address: 'h', username: '-P' } },
      /username/,
    ],
    [
      'a short webhook secret',
      'web09',
      { ...web01, bmc: { driver: 'webhook', address: 'https://h', secret: 'x' } },
      /16/,
    ],
    ['an unknown field', 'web09', { ...web01, owner: 'x' }, /owner|Unrecognized/],
    ['an unknown boot mode', 'web09', { ...web01, bootMode: 'efi' }, /bootMode/],
  ])('refuses %s (422) and stores nothing', async (_, name, body, detail) => {
    const res = await put(name, body);
    expect(res.status).toBe(422);
    expect((await res.json()).detail).toMatch(detail);
    expect((await t.apiFetch(`/api/v1/machines/web09`)).status).toBe(404);
  });

  it('refuses a MAC another machine has (409)', async () => {
    const res = await put('web03', { ...web01 });
    expect(res.status).toBe(409);
    expect(await res.json()).toMatchObject({
      error: 'machine:mac-in-use',
      detail: expect.stringContaining('web01'),
    });
  });

  it('deploys by machine name: MAC, hostname and profile from the inventory', async () => {
    await put('kvm01', { mac: '52:54:00:12:34:59', profile: 'kvm' });
    const res = await t.apiFetch('/api/v1/deployments', {
      method: 'POST',
      json: { machine: 'kvm01', os: 'tinylinux' },
    });
    expect(res.status).toBe(201);
    expect(await res.json()).toMatchObject({ mac: '52:54:00:12:34:59', hostname: 'kvm01', profile: 'kvm' });
    const unknown = await t.apiFetch('/api/v1/deployments', {
      method: 'POST',
      json: { machine: 'nope', os: 'tinylinux' },
    });
    expect(unknown.status).toBe(422);
    expect(await unknown.json()).toMatchObject({ error: 'machine:not-found' });
    const neither = await t.apiFetch('/api/v1/deployments', { method: 'POST', json: { os: 'tinylinux' } });
    expect(neither.status).toBe(422);
  });

  it('refuses to delete a machine with an active deployment (409), deletes it after (204)', async () => {
    const busy = await t.apiFetch('/api/v1/machines/kvm01', { method: 'DELETE' });
    expect(busy.status).toBe(409);
    expect(await busy.json()).toMatchObject({ error: 'machine:busy' });
    const active = await t.core.deployments.activeByMac('52:54:00:12:34:59' as never);
    await t.apiFetch(`/api/v1/deployments/${active!.id}/cancel`, { method: 'POST' });
    expect((await t.apiFetch('/api/v1/machines/kvm01', { method: 'DELETE' })).status).toBe(204);
    expect((await t.apiFetch('/api/v1/machines/kvm01')).status).toBe(404);
  });

  it('links a system that reaches done to its machine', async () => {
    const d = await (
      await t.apiFetch('/api/v1/deployments', { method: 'POST', json: { machine: 'web02', os: 'tinylinux' } })
    ).json();
    await t.apiFetch(`/api/v1/deployments/${d.id}/approve`, { method: 'POST' });
    const script = await (await fetch(`${t.boot}/ipxe/52-54-00-12-34-58?platform=efi`)).text();
    const cb = /cb=(\S+)/.exec(script)![1]!;
    for (const status of ['installing', 'done']) {
      await fetch(cb.replace(/^http:\/\/[^/]+/, t.boot), {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ status }),
      });
    }
    const system = await (await t.apiFetch('/api/v1/systems/52:54:00:12:34:58')).json();
    expect(system).toMatchObject({ hostname: 'web02', machine: 'web02' });
  });

  it('POST …/power asks the BMC and answers the power state; a BMC failure is a 502 with its message', async () => {
    const bmc = await startFakeRedfish({ password: PASSWORD });
    try {
      await put('bmc01', {
        mac: '52:54:00:12:35:01',
        bmc: { driver: 'redfish', address: bmc.url, username: 'root', password: PASSWORD },
      });
      const power = (action: string) =>
        t.apiFetch('/api/v1/machines/bmc01/power', { method: 'POST', json: { action } });
      const status = await power('status');
      expect(status.status).toBe(200);
      expect(await status.json()).toMatchObject({
        power: 'off',
        machine: 'bmc01',
        action: 'status',
        driver: 'Redfish',
      });
      expect(await (await power('pxe-once')).json()).toMatchObject({ power: 'off', verified: true });
      expect(bmc.state.boot).toEqual({ target: 'Pxe', enabled: 'Once', mode: 'UEFI' });
      expect(await (await power('on')).json()).toMatchObject({ power: 'on' });
      expect((await power('reboot')).status).toBe(422);

      await put('bmc01', {
        mac: '52:54:00:12:35:01',
        bmc: { driver: 'redfish', address: bmc.url, username: 'root', password: 'Wrong-Pa55word-x' },
      });
      const failed = await power('off');
      expect(failed.status).toBe(502);
      expect(await failed.json()).toEqual({
        error: 'bmc:auth',
        detail: 'HTTP 401: Invalid username or password',
      });
      expect(bmc.state.power).toBe('On');
      const audit = await t.core.orm.em
        .fork()
        .find(PowerActionRecord, { machineName: 'bmc01' }, { orderBy: { id: 'asc' } });
      expect(audit.map((a) => [a.action, a.accepted, a.actorPlatform, a.result])).toEqual([
        ['status', true, 'api', 'power off'],
        ['pxe-once', true, 'api', 'power off'],
        ['on', true, 'api', 'power on'],
        ['off', true, 'api', 'bmc:auth: HTTP 401: Invalid username or password'],
      ]);
      // Neither password reached a log line.
      const logs = JSON.stringify(t.logs);
      expect(logs).not.toContain(PASSWORD);
      expect(logs).not.toContain('Wrong-Pa55word-x');
      expect(
        (await t.apiFetch('/api/v1/machines/nope/power', { method: 'POST', json: { action: 'status' } }))
          .status,
      ).toBe(404);
    } finally {
      await bmc.close();
    }
  });

  it('a manual machine has no power to change (409) and reports unknown', async () => {
    const on = await t.apiFetch('/api/v1/machines/db01/power', { method: 'POST', json: { action: 'on' } });
    expect(on.status).toBe(409);
    expect(await on.json()).toMatchObject({ error: 'power:manual' });
    const status = await t.apiFetch('/api/v1/machines/db01/power', {
      method: 'POST',
      json: { action: 'status' },
    });
    expect(await status.json()).toMatchObject({ power: 'unknown', driver: 'manual' });
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestBootServer, type TestBootServer, TINY_IMAGE } from './helpers/boot-server-fixture.js';

// The disk rule of a deployment (API field `disk`) and of an image, and the Windows editions refused at
// request time because their installation could never report done.
let t: TestBootServer;
beforeAll(async () => {
  t = await startTestBootServer();
  await t.core.deployments.images().create(TINY_IMAGE);
  await t.core.deployments.images().create({
    id: 'win11-nokey',
    name: 'Windows 11 without keys',
    family: 'windows',
    boot: {
      method: 'wimboot',
      wimboot: 'w/wimboot',
      bootWim: 'w/boot.wim',
      bcd: 'w/BCD',
      bootSdi: 'w/boot.sdi',
      installWim: 'w/install.wim',
    },
    editions: {
      pro: { imageName: 'Windows 11 Pro' },
      enterprise: { imageName: 'Windows 11 Enterprise' },
      keyed: { imageName: 'Windows 11 Pro', productKey: 'W269N-WFGWX-YVC9B-4J6C9-T83GX' },
    },
    defaultEdition: 'keyed',
  });
});
afterAll(() => t?.close());

let nextMac = 0x10;
const freshMac = () => `52-54-00-00-0d-${(nextMac++).toString(16).padStart(2, '0')}`;
const post = (path: string, json?: unknown) => t.apiFetch(path, { method: 'POST', json });
const total = async () => (await (await t.apiFetch('/api/v1/deployments')).json()).total as number;

describe('disk rules and request-time refusals', () => {
  it('stores a deployment disk rule in canonical form and shows it', async () => {
    const res = await post('/api/v1/deployments', {
      mac: freshMac(),
      os: 'tinylinux',
      disk: 'SERIAL:S3Z9NB0K123456',
    });
    expect(res.status).toBe(201);
    const { id, disk } = await res.json();
    expect(disk).toBe('serial:S3Z9NB0K123456');
    expect((await (await t.apiFetch(`/api/v1/deployments/${id}`)).json()).disk).toBe('serial:S3Z9NB0K123456');
  });

  it('refuses a bad disk rule with 400/422 naming the accepted forms, and creates nothing', async () => {
    const before = await total();
    const res = await post('/api/v1/deployments', { mac: freshMac(), os: 'tinylinux', disk: 'disk0' });
    expect([400, 422]).toContain(res.status);
    const body = await res.json();
    expect(body.error).toBe('deploy:bad-disk-rule');
    expect(JSON.stringify(body)).toContain('serial:<serial>, wwn:<hex>, model:<text>');
    expect(await total()).toBe(before);
  });

  it('refuses a wwn rule for Windows, which WinPE cannot read', async () => {
    const res = await post('/api/v1/deployments', {
      mac: freshMac(),
      os: 'win11-nokey',
      disk: 'wwn:5000c500a1b2c3d4',
    });
    expect((await res.json()).error).toBe('deploy:bad-disk-rule');
  });

  it('keeps an image disk rule, and refuses a bad one', async () => {
    const ok = await t.apiFetch('/api/v1/images/tinylinux', {
      method: 'PUT',
      json: { ...TINY_IMAGE, disk: 'size:100-' },
    });
    expect(ok.status).toBe(200);
    expect((await ok.json()).disk).toBe('size:100-');
    const bad = await t.apiFetch('/api/v1/images/tinylinux', {
      method: 'PUT',
      json: { ...TINY_IMAGE, disk: 'first' },
    });
    expect([400, 422]).toContain(bad.status);
    expect(JSON.stringify(await bad.json())).toContain('is not a disk rule');
  });

  it("takes a machine's disk rule when the deployment gives none; the deployment's own rule wins", async () => {
    const put = await t.apiFetch('/api/v1/machines/db-07', {
      method: 'PUT',
      json: { mac: freshMac(), disk: 'model:PERC_H730' },
    });
    expect(put.status).toBe(201);
    expect((await put.json()).disk).toBe('model:PERC_H730');
    const inherited = await post('/api/v1/deployments', { machine: 'db-07', os: 'tinylinux' });
    expect(inherited.status).toBe(201);
    const first = await inherited.json();
    expect(first.disk).toBe('model:PERC_H730');
    await post(`/api/v1/deployments/${first.id}/cancel`, {});
    const own = await post('/api/v1/deployments', {
      machine: 'db-07',
      os: 'tinylinux',
      disk: 'smallest:100',
    });
    expect((await own.json()).disk).toBe('smallest:100');
    const bad = await t.apiFetch('/api/v1/machines/db-08', {
      method: 'PUT',
      json: { mac: freshMac(), disk: 'first' },
    });
    expect([400, 422]).toContain(bad.status);
    expect(JSON.stringify(await bad.json())).toContain('is not a disk rule');
  });

  it('refuses a Windows client edition without a product key (SetupComplete.cmd would be skipped)', async () => {
    const before = await total();
    const res = await post('/api/v1/deployments', { mac: freshMac(), os: 'win11-nokey', edition: 'pro' });
    const body = await res.json();
    expect(body.error).toBe('deploy:no-product-key');
    expect(JSON.stringify(body)).toContain('would skip SetupComplete.cmd');
    expect(await total()).toBe(before);
    // Enterprise runs SetupComplete.cmd even with an OEM key; an edition with a key is fine.
    expect(
      (await post('/api/v1/deployments', { mac: freshMac(), os: 'win11-nokey', edition: 'enterprise' }))
        .status,
    ).toBe(201);
    expect(
      (await post('/api/v1/deployments', { mac: freshMac(), os: 'win11-nokey', edition: 'keyed' })).status,
    ).toBe(201);
  });
});

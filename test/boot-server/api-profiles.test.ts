import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestBootServer, type TestBootServer } from './helpers/boot-server-fixture.js';

let t: TestBootServer;
beforeAll(async () => {
  t = await startTestBootServer();
});
afterAll(async () => {
  await t?.close();
});

const put = (name: string, json: unknown) => t.apiFetch(`/api/v1/profiles/${name}`, { method: 'PUT', json });

describe('/api/v1/profiles', () => {
  it('lists the seeded built-ins in the order auto walks them', async () => {
    const { items } = await (await t.apiFetch('/api/v1/profiles')).json();
    expect(items.map((p: { name: string }) => p.name)).toEqual(['hyperv-gen2', 'vmware', 'kvm', 'baremetal']);
    expect(items[0]).toMatchObject({
      match: [{ manufacturer: 'Microsoft Corporation', product: 'Virtual Machine' }],
      windowsDrivers: null,
      source: 'builtin',
    });
  });

  it('adding a profile is a PUT, and the next machine that reports it gets it, with the rule in its thread', async () => {
    const created = await put('nutanix', {
      match: [{ manufacturer: 'Nutanix', product: 'AHV' }, { pciVendor: '0x1AF4' }],
      priority: 5,
      windowsDrivers: 'nutanix',
      kernelArgs: 'nomodeset',
      serialConsole: 'ttyS1',
    });
    expect(created.status).toBe(201);
    const body = await created.json();
    expect(body).toMatchObject({
      name: 'nutanix',
      match: [{ manufacturer: 'Nutanix', product: 'AHV' }, { pciVendor: '1af4' }],
      source: 'operator',
    });
    // The round-trip rule: what GET answered goes back unchanged.
    const again = await put('nutanix', { ...body, priority: 6 });
    expect(again.status).toBe(200);
    expect((await put('nutanix', { ...body, source: 'builtin' })).status).toBe(422);

    const mac = '52:54:00:00:09:01';
    const { id } = await (
      await t.apiFetch('/api/v1/deployments', { method: 'POST', json: { mac, os: 'ubuntu2404' } })
    ).json();
    await t.apiFetch(`/api/v1/deployments/${id}/approve`, { method: 'POST', json: {} });
    const script = await (
      await fetch(`${t.boot}/ipxe/${mac}?platform=efi&manufacturer=Nutanix&product=AHV`)
    ).text();
    expect(script).toMatch(/ nomodeset console=ttyS1 /);
    const shown = await (await t.apiFetch(`/api/v1/deployments/${id}`)).json();
    expect(shown.resolvedProfile).toBe('nutanix');
    expect(shown.events.find((e: { stage: string }) => e.stage === 'booting').message).toBe(
      'UEFI, unknown arch, profile nutanix (auto: rule 1 of nutanix (manufacturer "Nutanix", product "AHV"))',
    );
    // In use by an active deployment that asked for it by name: 409.
    await t.apiFetch('/api/v1/deployments', {
      method: 'POST',
      json: { mac: '52:54:00:00:09:02', os: 'ubuntu2404', profile: 'nutanix' },
    });
    expect((await t.apiFetch('/api/v1/profiles/nutanix', { method: 'DELETE' })).status).toBe(409);
  });

  it.each([
    ['auto', { match: [] }, /"auto" is not a profile/],
    ['bad', { match: [{}] }, /a rule needs manufacturer, product or pciVendor/],
    ['bad', { match: [{ pciVendor: 'virtio' }] }, /4 hex digits/],
    ['bad', { kernelArgs: 'a $(reboot)' }, /plain word/],
    ['bad', { serialConsole: 'COM1' }, /console device/],
    ['bad', { match: [], extra: 1 }, /Unrecognized key/],
  ])('refuses %s %j with a reason', async (name, json, reason) => {
    const res = await put(name, json);
    expect(res.status).toBe(422);
    expect((await res.json()).detail).toMatch(reason);
    expect((await t.apiFetch('/api/v1/profiles/bad')).status).toBe(404);
  });

  it('DELETE turns an edited built-in back into its shipped definition', async () => {
    expect((await put('vmware', { match: [{ manufacturer: 'Nothing' }] })).status).toBe(200);
    const res = await t.apiFetch('/api/v1/profiles/vmware', { method: 'DELETE' });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({
      match: [{ manufacturer: 'VMware' }, { product: 'VMware' }],
      source: 'builtin',
    });
  });
});

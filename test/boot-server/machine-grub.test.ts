import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alice, approver, bob } from '../support/test-core.js';
import { startTestBootServer, type TestBootServer, TINY_IMAGE } from './helpers/boot-server-fixture.js';

// GET /grub/:mac: the boot decision of /ipxe/:mac in GRUB's language (Secure Boot chain).
let t: TestBootServer;
let nextMac = 0x10;
const freshMac = () => `52:54:00:00:0d:${(nextMac++).toString(16).padStart(2, '0')}`;

beforeAll(async () => {
  t = await startTestBootServer({ BOOT_LOOP_LIMIT: '2' });
  await t.core.deployments.images().create({ ...TINY_IMAGE, boot: { ...TINY_IMAGE.boot, secureBoot: true } });
});
afterAll(() => t?.close());

const grub = async (mac: string) => {
  const res = await fetch(`${t.boot}/grub/${mac}?platform=efi&arch=x86_64`);
  return { status: res.status, type: res.headers.get('content-type'), text: await res.text() };
};
const get = (id: number) => t.core.deployments.repository().get(id);

describe('GET /grub/:mac', () => {
  it('answers an unknown MAC with local boot: chainload the installed loader, no token', async () => {
    const res = await grub('52:54:00:00:0d:ff');
    expect(res.status).toBe(200);
    expect(res.type).toMatch(/^text\/plain/);
    expect(res.text).toContain("if search --no-floppy --file --set=esp '/EFI/debian/shimx64.efi'; then");
    expect(res.text).not.toMatch(/\/cb\/|\/d\/|\/r\//);
  });

  it('makes a pending machine wait, then installs once approved (booting), with the same token rules', async () => {
    const mac = freshMac();
    const { deployment } = await t.core.deployments.request(
      { mac, os: 'tinylinux', hostname: 'sb01', secureBoot: true },
      alice,
    );
    const waiting = await grub(mac);
    expect(waiting.text).toContain(
      `echo 'Octofleet: deployment ${deployment.id} (tinylinux as sb01) is waiting for approval'`,
    );
    expect(waiting.text).toContain('set octofleet_wait=1');
    expect(waiting.text).not.toMatch(/\/cb\//);
    await t.core.deployments.approve(deployment.id, bob, approver);
    const install = await grub(mac);
    const token = t.core.deployments.tokenFor(deployment);
    expect(install.text).toContain(
      `linux '(http,10.0.2.2:8080)/files/tiny/vmlinuz' 'console=ttyS0' 'cb=http://10.0.2.2:8080/cb/${token}' 'host=sb01'`,
    );
    expect(install.text).toContain("initrd '(http,10.0.2.2:8080)/files/tiny/initrd.gz'");
    expect(await get(deployment.id)).toMatchObject({
      status: 'booting',
      boot: { platform: 'efi', arch: 'x86_64' },
    });
    // The installer started: local boot from now on, never the token again.
    await t.core.deployments.recordEvent(deployment.id, { stage: 'installing', source: 'installer' });
    const after = await grub(mac);
    expect(after.text).toContain(`is installing, booting from the local disk`);
    expect(after.text).not.toContain(token);
  });

  it('shares the boot-loop guard with /ipxe/:mac: serves count across dialects', async () => {
    const mac = freshMac();
    const { deployment } = await t.core.deployments.request({ mac, os: 'tinylinux' }, alice);
    await t.core.deployments.approve(deployment.id, bob, approver);
    expect((await grub(mac)).text).toContain('linux ');
    expect(await (await fetch(`${t.boot}/ipxe/${mac}?platform=efi`)).text()).toContain('kernel ');
    expect((await grub(mac)).text).toContain('booting from the local disk');
    expect(await get(deployment.id)).toMatchObject({ status: 'failed', stage: 'boot_loop' });
  });
});

import { dirname } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { DeploymentChange } from '../../core/deployments/deployment-service.js';
import { startTestBootServer, type TestBootServer } from '../boot-server/helpers/boot-server-fixture.js';
import { freePort } from '../support/free-port.js';
import { ensureTinyLinux } from '../support/pxe/artifacts.js';
import { bootQemu, type Firmware, GUEST_HOST, killAllVms, qemuSkipReason } from '../support/pxe/qemu.js';

// A server with two NICs that PXE-boots from the second: the entry script must look the machine up by
// the booting interface (${netX/mac}), not by the first NIC iPXE found (${net0/mac}), or the deployment
// for the booting port is never served and waits for the watchdog.
const skipReason = qemuSkipReason(import.meta.filename, 'efi');
if (skipReason) console.warn(`skipping the two-NIC test: ${skipReason}`);

const BOOT_MS = 150_000;
let t: TestBootServer;
let guestBoot: string;
let waiters: ((change: DeploymentChange) => boolean)[] = [];

function reached(id: number, state: string): Promise<void> {
  return new Promise((done) => {
    waiters.push((change) => {
      if (change.deploymentId !== id || change.state !== state) return false;
      done();
      return true;
    });
  });
}

const hyphen = (mac: string) => mac.replaceAll(':', '-');

describe.skipIf(skipReason)('a machine that boots from its second NIC', () => {
  beforeAll(async () => {
    const tiny = await ensureTinyLinux();
    const port = await freePort();
    guestBoot = `http://${GUEST_HOST}:${port}`;
    t = await startTestBootServer({
      BOOT_PORT: String(port),
      PUBLIC_BOOT_URL: guestBoot,
      ARTIFACTS_DIR: dirname(tiny.kernel),
    });
    t.core.onChange((change) => {
      waiters = waiters.filter((w) => !w(change));
    });
    const image = await t.apiFetch('/api/v1/images', {
      method: 'POST',
      json: {
        id: 'tinylinux',
        name: 'Tiny Linux',
        family: 'linux',
        boot: {
          method: 'linux',
          kernel: 'vmlinuz',
          initrd: ['initrd.gz'],
          cmdline: 'console=ttyS0 cb={{callbackUrl}}',
        },
      },
    });
    expect(image.status).toBe(201);
  }, 300_000);

  afterEach(killAllVms);
  afterAll(() => t?.close());

  async function installsFromSecondNic(firmware: Firmware, first: string, second: string) {
    const created = await t.apiFetch('/api/v1/deployments', {
      method: 'POST',
      json: { mac: second, os: 'tinylinux', hostname: `two-nics-${firmware}` },
    });
    expect(created.status).toBe(201);
    const { id } = await created.json();
    const done = reached(id, 'done');
    expect((await t.apiFetch(`/api/v1/deployments/${id}/approve`, { method: 'POST' })).status).toBe(200);
    const vm = await bootQemu({
      firmware,
      mac: second,
      leadingNics: [first],
      chainUrl: `${guestBoot}/boot.ipxe`,
      timeoutMs: BOOT_MS,
    });
    await vm.until(done);
    const asked = t.logs
      .filter((l) => l.msg === 'request' && String(l.path).startsWith('/ipxe/'))
      .map((l) => l.path);
    expect(asked).toContain(`/ipxe/${hyphen(second)}`);
    expect(asked).not.toContain(`/ipxe/${hyphen(first)}`);
  }

  it(
    "BIOS: the install script of the second NIC's MAC is served and the install reports done",
    () => installsFromSecondNic('bios', '52:54:00:2a:1c:01', '52:54:00:2a:1c:02'),
    BOOT_MS + 30_000,
  );

  it(
    'UEFI: the same',
    () => installsFromSecondNic('efi', '52:54:00:2a:1c:11', '52:54:00:2a:1c:12'),
    BOOT_MS + 30_000,
  );
});

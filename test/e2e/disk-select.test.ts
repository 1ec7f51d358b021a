import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { DeploymentChange } from '../../core/deployments/deployment-service.js';
import { startTestBootServer, type TestBootServer } from '../boot-server/helpers/boot-server-fixture.js';
import { freePort } from '../support/free-port.js';
import { ensureTinyLinux } from '../support/pxe/artifacts.js';
import { bootQemu, GUEST_HOST, killAllVms, qemuSkipReason } from '../support/pxe/qemu.js';
import { TINY_LINUX_TAG } from '../support/pxe/tiny-linux-init.js';

// The disk selector every Linux template uses (templates/partials/linux/disk-select.hbs, served as
// disk-select.sh), run by a real kernel in QEMU on a machine with two virtio disks of different sizes.
// The tiny installer fetches the deployment's disk-select.sh exactly as the preseed and autoinstall do.
const skipReason = qemuSkipReason(import.meta.filename, 'bios');
if (skipReason) console.warn(`skipping the disk selector test: ${skipReason}`);

const BOOT_MS = 150_000;
let t: TestBootServer;
let disks: string;
let guestBoot: string;

/** Resolves when the deployment reaches `state` (Postgres has committed it). */
function reached(id: number, state: string): Promise<void> {
  return new Promise((done) => {
    waiters.push((change) => {
      if (change.deploymentId !== id || change.state !== state) return false;
      done();
      return true;
    });
  });
}
let waiters: ((change: DeploymentChange) => boolean)[] = [];

/** Two sparse raw disks: 1 GiB (1 GB as the selector counts) and 3 GiB (3 GB), with serial numbers. */
function diskArgs() {
  return [
    ['small.img', '1G', 'OCTO-SMALL-1'],
    ['big.img', '3G', 'OCTO-BIG-3'],
  ].flatMap(([file, size, serial], i) => {
    execFileSync('truncate', ['-s', size!, join(disks, file!)]);
    return [
      ...['-drive', `file=${join(disks, file!)},format=raw,if=none,id=disk${i}`],
      ...['-device', `virtio-blk-pci,drive=disk${i},serial=${serial}`],
    ];
  });
}

describe.skipIf(skipReason)('the disk selector picks the one disk its rule names, or refuses', () => {
  beforeAll(async () => {
    const tiny = await ensureTinyLinux();
    disks = mkdtempSync(join(tmpdir(), 'octofleet-disks-'));
    const port = await freePort();
    guestBoot = `http://${GUEST_HOST}:${port}`;
    t = await startTestBootServer({
      BOOT_PORT: String(port),
      PUBLIC_BOOT_URL: guestBoot,
      ARTIFACTS_DIR: dirname(tiny.kernel),
    });
    // `templates: debian` serves the Debian artifacts, disk-select.sh among them, to this image.
    t.core.onChange((change) => {
      waiters = waiters.filter((w) => !w(change));
    });
    const image = await t.apiFetch('/api/v1/images', {
      method: 'POST',
      json: {
        id: 'tinydisk',
        name: 'Tiny Linux with the disk selector',
        family: 'linux',
        templates: 'debian',
        boot: {
          method: 'linux',
          kernel: 'vmlinuz',
          initrd: ['initrd.gz'],
          cmdline: 'console=ttyS0 cb={{callbackUrl}} disksel={{artifactUrl}}/disk-select.sh',
        },
      },
    });
    expect(image.status).toBe(201);
  }, 300_000);

  afterEach(killAllVms);
  afterAll(async () => {
    await t?.close();
    if (disks) rmSync(disks, { recursive: true, force: true });
  });

  async function deploy(mac: string, disk: string, end: 'done' | 'failed') {
    const created = await t.apiFetch('/api/v1/deployments', {
      method: 'POST',
      json: { mac, os: 'tinydisk', hostname: 'disks', disk },
    });
    expect(created.status).toBe(201);
    const { id } = await created.json();
    const ended = reached(id, end);
    expect((await t.apiFetch(`/api/v1/deployments/${id}/approve`, { method: 'POST' })).status).toBe(200);
    const vm = await bootQemu({
      mac,
      chainUrl: `${guestBoot}/boot.ipxe`,
      timeoutMs: BOOT_MS,
      extraArgs: diskArgs(),
    });
    const get = async () => (await t.apiFetch(`/api/v1/deployments/${id}`)).json();
    return { vm, get, ended };
  }

  it(
    'serial:OCTO-BIG-3 chooses the 3 GB disk, vdb, and the installation goes on',
    async () => {
      const { vm, get, ended } = await deploy('52:54:00:d1:5c:01', 'serial:OCTO-BIG-3', 'done');
      await vm.until(ended);
      await vm.waitForConsole(new RegExp(`${TINY_LINUX_TAG} disk selected /dev/vdb`), 20_000);
      const deployment = await get();
      expect(deployment.disk).toBe('serial:OCTO-BIG-3');
      const selected = deployment.events.find((e: { stage: string }) => e.stage === 'disk_selected');
      expect(selected.message).toBe(
        'rule serial:OCTO-BIG-3 chose /dev/vdb: unknown model, 3 GB, serial OCTO-BIG-3',
      );
    },
    BOOT_MS + 30_000,
  );

  it(
    'an ambiguous rule (size:1-) stops the installer: failed, naming every disk it saw',
    async () => {
      const { vm, get, ended } = await deploy('52:54:00:d1:5c:02', 'size:1-', 'failed');
      await vm.until(ended);
      await vm.waitForConsole(new RegExp(`${TINY_LINUX_TAG} disk selection refused`), 20_000);
      const deployment = await get();
      expect(deployment.failureReason).toContain(
        '2 disks match disk rule size:1- (vda vdb), refusing to guess',
      );
      expect(deployment.failureReason).toContain('vda: ');
      expect(deployment.failureReason).toContain('1 GB, serial OCTO-SMALL-1');
      expect(deployment.failureReason).toContain('3 GB, serial OCTO-BIG-3');
      // The installer stopped there: none of the later stages arrived.
      expect(deployment.events.map((e: { stage: string }) => e.stage)).not.toContain('configuring');
    },
    BOOT_MS + 30_000,
  );
});

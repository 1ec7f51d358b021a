import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DeploymentEvent } from '../../core/deployments/deployment-event.entity.js';
import { startTestBootServer, type TestBootServer } from '../boot-server/helpers/boot-server-fixture.js';
import { freePort } from '../support/free-port.js';
import { ensureDebianInstaller } from '../support/pxe/artifacts.js';
import { BOOT_FAILURE, bootQemu, GUEST_HOST, killAllVms, qemuSkipReason } from '../support/pxe/qemu.js';

// The real Debian 12 netboot installer (Debian's debian-installer-12-netboot-amd64 package), not ours,
// PXE-booted in QEMU from the real boot server for a debian12 deployment of the unmodified catalog: the
// files sit where docs/linux.md tells operators to put them. It fetches our preseed.cfg and runs our
// preseed/early_command, whose report must reach the deployment's events. It cannot install without a
// package mirror, so the VM is stopped there. About 70 s under TCG (see docs/testing.md).
const skipReason = qemuSkipReason(import.meta.filename, 'bios');

describe.skipIf(skipReason)('the real Debian 12 installer, PXE-booted from the boot server', () => {
  let t: TestBootServer;
  let artifacts: string;

  beforeAll(async () => {
    // The first run downloads the 133 MB installer package; later runs hit .cache/pxe.
    const installer = await ensureDebianInstaller();
    artifacts = await mkdtemp(join(tmpdir(), 'octofleet-artifacts-'));
    await mkdir(join(artifacts, 'debian/12'), { recursive: true });
    await symlink(installer.kernel, join(artifacts, 'debian/12/linux'));
    await symlink(installer.initrd, join(artifacts, 'debian/12/initrd.gz'));
    // The catalog loads Debian's non-free firmware archive as a second initrd. A small archive of the
    // same format (gzip'd newc cpio) stands in for it: the kernel must unpack it over the installer's.
    await mkdir(join(artifacts, 'firmware/lib/firmware'), { recursive: true });
    await writeFile(join(artifacts, 'firmware/lib/firmware/octofleet-test.txt'), 'stand-in firmware\n');
    execFileSync('sh', [
      '-c',
      'cd "$0" && find . | cpio -o -H newc -R 0:0 --quiet | gzip > "$1"',
      join(artifacts, 'firmware'),
      join(artifacts, 'debian/12/firmware.cpio.gz'),
    ]);
    const port = await freePort();
    t = await startTestBootServer({
      BOOT_PORT: String(port),
      PUBLIC_BOOT_URL: `http://${GUEST_HOST}:${port}`,
      ARTIFACTS_DIR: artifacts,
    });
    for (const file of ['linux', 'initrd.gz', 'firmware.cpio.gz']) {
      const res = await fetch(`${t.boot}/files/debian/12/${file}`, { method: 'HEAD' });
      if (res.status !== 200) throw new Error(`/files/debian/12/${file} answers ${res.status}`);
    }
  }, 900_000);

  afterAll(async () => {
    await killAllVms();
    await t?.close();
    if (artifacts) await rm(artifacts, { recursive: true, force: true });
  });

  /** Resolves with the deployment's events once one has `stage`; woken by committed changes, no polling. */
  function eventsOnceStage(id: number, stage: string): Promise<DeploymentEvent[]> {
    return new Promise((resolve, reject) => {
      const check = async () => {
        const events = await t.core.deployments.repository().events(id);
        if (events.some((event) => event.stage === stage)) resolve(events);
      };
      t.core.onChange((change) => {
        if (change.deploymentId === id) check().catch(reject);
      });
      check().catch(reject);
    });
  }

  it('fetches our preseed.cfg and reports early_command into the deployment', {
    timeout: 330_000,
  }, async () => {
    const mac = '52:54:00:d1:12:01';
    const created = await t.apiFetch('/api/v1/deployments', {
      method: 'POST',
      json: { mac, os: 'debian12', hostname: 'deb-e2e' },
    });
    expect(created.status).toBe(201);
    const { id } = (await created.json()) as { id: number };
    const approved = await t.apiFetch(`/api/v1/deployments/${id}/approve`, { method: 'POST', json: {} });
    expect(approved.status).toBe(200);

    const reported = eventsOnceStage(id, 'early_command');
    const vm = await bootQemu({
      firmware: 'bios',
      mac,
      memoryMb: 1024,
      chainUrl: `${t.boot.replace('127.0.0.1', GUEST_HOST)}/boot.ipxe`,
      failOn: BOOT_FAILURE,
      // ~70 s on an idle 2-core machine; far more when other test files share the cores.
      timeoutMs: 300_000,
    });
    const requests = () =>
      t.logs
        .filter((l) => l.listener === 'boot')
        .map((l) => `${l.method} ${l.path} ${l.status}`)
        .join('\n');
    const events = await vm.until(reported).catch((error: Error) => {
      throw new Error(`${error.message}\nboot server requests:\n${requests()}`);
    });
    await vm.kill();

    const served = (path: RegExp) =>
      t.logs.some((l) => l.method === 'GET' && l.status === 200 && path.test(String(l.path)));
    expect(served(/^\/files\/debian\/12\/linux$/), 'kernel served from ARTIFACTS_DIR').toBe(true);
    expect(served(/^\/files\/debian\/12\/initrd\.gz$/), 'initrd served from ARTIFACTS_DIR').toBe(true);
    expect(served(/^\/files\/debian\/12\/firmware\.cpio\.gz$/), 'firmware initrd served').toBe(true);
    // Pinned to the booting NIC, and console= after --- (for the installed system) did not stop d-i.
    expect(vm.console()).toMatch(/interface=52:54:00:d1:12:01 BOOTIF=01-52-54-00-d1-12-01/);
    expect(served(/^\/d\/\[token\]\/preseed\.cfg$/), 'the installer fetched our preseed.cfg').toBe(true);
    expect(vm.console()).toMatch(/hostname=deb-e2e/);

    const early = events.find((event) => event.stage === 'early_command')!;
    expect(early).toMatchObject({
      message: 'Debian installer started',
      progress: 5,
      source: expect.any(String),
    });
    expect(events.map((event) => event.stage)).toEqual(
      expect.arrayContaining(['requested', 'approved', 'booting', 'early_command']),
    );
    expect((await t.core.deployments.repository().get(id)).status).toBe('installing');
    console.info(
      `[debian-installer] early_command reported ${((early.receivedAt.getTime() - vm.startedAt) / 1000).toFixed(1)} s after QEMU start`,
    );
  });
});

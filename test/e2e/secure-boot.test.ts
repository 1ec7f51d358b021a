import { existsSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { DeploymentChange } from '../../core/deployments/deployment-service.js';
import { DEBIAN_SHIM, installSecureBootChain } from '../../core/pxe/secure-boot-chain.js';
import { startTestBootServer, type TestBootServer } from '../boot-server/helpers/boot-server-fixture.js';
import { ensureSecureBootLinux, ensureTrixieGrub } from '../support/pxe/artifacts.js';
import {
  bootQemu,
  GUEST_HOST,
  killAllVms,
  OVMF_SECBOOT_CODE,
  OVMF_SECBOOT_VARS,
  qemuSkipReason,
} from '../support/pxe/qemu.js';

// UEFI Secure Boot enforced by OVMF with Microsoft's keys: OVMF PXE → shimx64.efi (Microsoft-signed)
// → grubx64.efi (Debian-signed GRUB 2.12) → grub/grub.cfg (TFTP) → GET /grub/:mac (HTTP) → Debian's
// signed kernel + the tiny initrd → callbacks. The chain, the refusal of an unsigned kernel and local boot
// through our GRUB script, judged by what the server recorded. Timings printed, never asserted.
const DISK_GRUB = '/usr/lib/grub/x86_64-efi-signed/grubx64.efi.signed';
const needed = [OVMF_SECBOOT_CODE, OVMF_SECBOOT_VARS, DEBIAN_SHIM, DISK_GRUB];
const skipReason =
  qemuSkipReason(import.meta.filename, 'efi') ??
  (needed.every(existsSync) ? undefined : `missing ${needed.filter((f) => !existsSync(f)).join(', ')}`);
if (skipReason) console.warn(`skipping the Secure Boot end-to-end test: ${skipReason}`);

const BOOT_MS = 180_000;
let t: TestBootServer;
let guestBoot: string;
let work: string;
let tftpDir: string;
let espDir: string;
const changes: DeploymentChange[] = [];
let waiters: ((change: DeploymentChange) => boolean)[] = [];

function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => done(port));
    });
    probe.on('error', fail);
  });
}

function reached(id: number, state: string, timeoutMs: number): Promise<number> {
  if (changes.some((c) => c.deploymentId === id && c.state === state)) return Promise.resolve(Date.now());
  return new Promise((done, fail) => {
    const timer = setTimeout(() => fail(new Error(`deployment ${id} did not reach ${state}`)), timeoutMs);
    waiters.push((change) => {
      if (change.deploymentId !== id || change.state !== state) return false;
      clearTimeout(timer);
      done(Date.now());
      return true;
    });
  });
}

const grubRequests = (mac: string) =>
  t.logs.filter((l) => l.msg === 'request' && l.path === `/grub/${mac}` && l.status === 200);
const deployment = async (id: number) => (await t.apiFetch(`/api/v1/deployments/${id}`)).json();

async function create(json: Record<string, unknown>) {
  const res = await t.apiFetch('/api/v1/deployments', { method: 'POST', json });
  return { status: res.status, body: await res.json() };
}

describe.skipIf(skipReason)('UEFI Secure Boot: shim → GRUB → /grub/:mac → signed kernel', () => {
  beforeAll(async () => {
    const [grub, linux] = await Promise.all([ensureTrixieGrub(), ensureSecureBootLinux()]);
    work = await mkdtemp(join(tmpdir(), 'octofleet-e2e-sb-'));
    const artifacts = join(work, 'artifacts');
    await mkdir(join(artifacts, 'sb'), { recursive: true });
    await copyFile(linux.kernel, join(artifacts, 'sb/vmlinuz'));
    await copyFile(linux.unsignedKernel, join(artifacts, 'sb/vmlinuz-unsigned'));
    await copyFile(linux.initrd, join(artifacts, 'sb/initrd.gz'));
    // The local disk: an ESP holding shim as the removable-media loader and Debian's signed GRUB, whose
    // config only says it was reached.
    espDir = join(work, 'esp');
    await mkdir(join(espDir, 'EFI/BOOT'), { recursive: true });
    await mkdir(join(espDir, 'EFI/debian'), { recursive: true });
    await copyFile(DEBIAN_SHIM, join(espDir, 'EFI/BOOT/BOOTX64.EFI'));
    await copyFile(DISK_GRUB, join(espDir, 'EFI/BOOT/grubx64.efi'));
    await writeFile(
      join(espDir, 'EFI/debian/grub.cfg'),
      'echo "octofleet-esp: the local disk GRUB was reached"\nsleep 600\n',
    );

    const port = await freePort();
    guestBoot = `http://${GUEST_HOST}:${port}`;
    // What `npm run pxe:config -- --tftp` places with PXE_UEFI_BINARY=shimx64.efi.
    tftpDir = join(work, 'tftp');
    await installSecureBootChain(tftpDir, { publicBootUrl: guestBoot, grub });
    t = await startTestBootServer(
      { BOOT_PORT: String(port), PUBLIC_BOOT_URL: guestBoot, ARTIFACTS_DIR: artifacts },
      { pollSeconds: 2 },
    );
    t.core.onChange((change) => {
      changes.push(change);
      waiters = waiters.filter((w) => !w(change));
    });
    for (const [id, kernel, secureBoot] of [
      ['sblinux', 'sb/vmlinuz', true],
      ['sbunsigned', 'sb/vmlinuz-unsigned', false],
    ] as const) {
      const res = await t.apiFetch('/api/v1/images', {
        method: 'POST',
        json: {
          id,
          name: `Tiny Linux (${id})`,
          family: 'linux',
          boot: {
            method: 'linux',
            kernel,
            initrd: ['sb/initrd.gz'],
            cmdline: 'console=ttyS0 cb={{callbackUrl}}',
            secureBoot,
          },
        },
      });
      expect(res.status).toBe(201);
    }
  }, 600_000);

  afterEach(killAllVms);
  afterAll(async () => {
    await t?.close();
    if (work) await rm(work, { recursive: true, force: true });
  });

  const sbVm = (mac: string, extraArgs: string[] = []) =>
    bootQemu({
      firmware: 'efi',
      mac,
      chainUrl: `${guestBoot}/unused`,
      memoryMb: 1024,
      timeoutMs: BOOT_MS,
      secureBoot: { tftpDir, bootfile: 'shimx64.efi' },
      extraArgs,
    });

  it(
    'waits for approval, boots the signed kernel, reports Secure Boot on; the second boot chainloads the disk',
    async () => {
      const mac = '52:54:00:5b:e2:01';
      const { status, body } = await create({ mac, os: 'sblinux', hostname: 'sb01', secureBoot: true });
      expect(status).toBe(201);
      const id = body.id as number;
      const done = reached(id, 'done', BOOT_MS);
      done.catch(() => {});
      const vm = await sbVm(mac);
      await vm.until(t.waitForLogs(() => grubRequests(mac).length >= 2, BOOT_MS));
      expect((await deployment(id)).status).toBe('pending_approval');
      expect(vm.console()).toContain('is waiting for approval');
      expect((await t.apiFetch(`/api/v1/deployments/${id}/approve`, { method: 'POST' })).status).toBe(200);
      const approvedAt = Date.now();
      const doneAt = await vm.until(done);
      console.info(
        `[secure-boot] first /grub/:mac ${((grubRequests(mac)[0]!.time as number) - vm.startedAt) / 1000} s after QEMU start; approval → done ${((doneAt - approvedAt) / 1000).toFixed(1)} s`,
      );
      const after = await deployment(id);
      expect(after).toMatchObject({
        status: 'done',
        secureBoot: true,
        boot: { platform: 'efi', arch: 'x86_64' },
      });
      const installing = after.events.find((e: { stage: string }) => e.stage === 'installing');
      expect(installing.message).toMatch(/^Secure Boot on, /);
      await vm.waitForConsole(/SECUREBOOT=1/, 10_000);
      await killAllVms();

      // Second boot: local boot through our GRUB script, not through the firmware's menu.
      const disk = [
        ...['-drive', `if=none,id=esp,format=raw,readonly=on,file=fat:${espDir}`],
        ...['-device', 'virtio-blk-pci,drive=esp,bootindex=2'],
      ];
      const seen = grubRequests(mac).length;
      const local = await sbVm(mac, disk);
      await local.waitForConsole(/the local disk GRUB was reached/, BOOT_MS);
      expect(grubRequests(mac).length).toBe(seen + 1);
      expect(local.console()).toMatch(/Octofleet: starting \/EFI\/BOOT\/BOOTX64\.EFI from the local disk/);
      expect(local.console()).not.toMatch(/UiApp/);
    },
    3 * BOOT_MS,
  );

  it('refuses at request time an unsigned image for a Secure Boot machine', async () => {
    const { status, body } = await create({ mac: '52:54:00:5b:e2:02', os: 'sbunsigned', secureBoot: true });
    expect(status).toBe(422);
    expect(body).toMatchObject({ error: 'deploy:secure-boot-unsupported' });
  });

  it(
    'the chain refuses an unsigned kernel: GRUB says bad shim signature and the deployment fails saying so',
    async () => {
      const mac = '52:54:00:5b:e2:03';
      const { body } = await create({ mac, os: 'sbunsigned', hostname: 'sb03' });
      const id = body.id as number;
      expect((await t.apiFetch(`/api/v1/deployments/${id}/approve`, { method: 'POST' })).status).toBe(200);
      const failed = reached(id, 'failed', BOOT_MS);
      const vm = await sbVm(mac);
      await vm.until(failed);
      await vm.waitForConsole(/bad shim signature/, 30_000);
      expect(await deployment(id)).toMatchObject({
        status: 'failed',
        stage: 'boot_failed',
        failureReason:
          'sb03 could not load sb/vmlinuz-unsigned (GRUB refused it; under Secure Boot: not signed, "bad shim signature") — gave up, booting from disk',
      });
      expect(changes.some((c) => c.deploymentId === id && c.state === 'installing')).toBe(false);
    },
    BOOT_MS + 20_000,
  );
});

import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startTestBootServer, type TestBootServer } from '../boot-server/helpers/boot-server-fixture.js';
import { freePort } from '../support/free-port.js';
import { bootQemu, type Firmware, GUEST_HOST, killAllVms, qemuSkipReason } from '../support/pxe/qemu.js';
import { skipUnlessInstalled } from '../support/tools/suite-needs.js';

// The second boot of a deployed machine, for real: no deployment, so the boot server answers the
// local-boot script, and the firmware must reach the bootloader installed on the disk. The disk is a
// grub-mkrescue image (one image that boots on BIOS and UEFI, Debian packages grub-pc-bin,
// grub-efi-amd64-bin, xorriso, mtools) whose GRUB prints a marker on the serial console. On UEFI the
// path must be ours (the local-boot GRUB chainloading the disk's loader), not the firmware's fallback to
// the next boot option. Times are logged, never asserted.
const skipReason =
  qemuSkipReason(import.meta.filename, 'efi') ??
  skipUnlessInstalled(import.meta.filename, ['grub-pc-bin', 'grub-efi-amd64-bin', 'xorriso', 'mtools']);
if (skipReason) console.warn(`skipping the local-boot test: ${skipReason}`);

const MARKER = 'OCTOFLEET-INSTALLED-OS-REACHED';
const BOOT_MS = 150_000;
let t: TestBootServer;
let work: string;
let diskImage: string;
let guestBoot: string;

describe.skipIf(skipReason)('local boot reaches the installed bootloader', () => {
  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'octofleet-local-boot-'));
    const root = join(work, 'iso');
    mkdirSync(join(root, 'boot/grub'), { recursive: true });
    // BIOS GRUB writes to the VGA console by default; the serial line is what the test reads.
    writeFileSync(
      join(root, 'boot/grub/grub.cfg'),
      [
        'serial --unit=0 --speed=115200',
        'terminal_output serial console',
        `echo "${MARKER} on $grub_platform"`,
        'sleep 600',
        '',
      ].join('\n'),
    );
    diskImage = join(work, 'installed-os.img');
    execFileSync('grub-mkrescue', ['-o', diskImage, root], { stdio: 'ignore' });
    const port = await freePort();
    guestBoot = `http://${GUEST_HOST}:${port}`;
    t = await startTestBootServer({ BOOT_PORT: String(port), PUBLIC_BOOT_URL: guestBoot });
  }, 120_000);

  afterEach(killAllVms);
  afterAll(async () => {
    await t?.close();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  async function bootsTheDisk(firmware: Firmware, mac: string) {
    const vm = await bootQemu({
      firmware,
      mac,
      chainUrl: `${guestBoot}/boot.ipxe`,
      timeoutMs: BOOT_MS,
      failOn: /normal\.mod' not found|Kernel panic|No bootable device/,
      // The installed disk, second in the boot order as on a server that keeps network first.
      // snapshot=on: the image is never written, so both tests boot the same disk.
      extraArgs: [
        ...['-drive', `file=${diskImage},format=raw,if=none,id=os,snapshot=on`],
        ...['-device', 'ide-hd,drive=os,bootindex=2'],
      ],
    });
    await vm.waitForConsole(/Octofleet: nothing to install for/, BOOT_MS);
    const scriptAt = Date.now();
    // The whole marker: a match on its first characters could come before the rest of the line.
    await vm.waitForConsole(new RegExp(`${MARKER} on (efi|pc)`), BOOT_MS);
    const markerAt = Date.now();
    console.info(
      `[local-boot] ${firmware}: local-boot script at ${((scriptAt - vm.startedAt) / 1000).toFixed(1)} s, ` +
        `installed bootloader at ${((markerAt - vm.startedAt) / 1000).toFixed(1)} s after power-on`,
    );
    return vm;
  }

  it(
    "UEFI: the local-boot GRUB from the boot server chainloads the disk's EFI loader",
    async () => {
      const vm = await bootsTheDisk('efi', '52:54:00:10:ca:01');
      const text = vm.console();
      const script = text.indexOf('Octofleet: nothing to install for');
      const chain = text.indexOf('Octofleet local boot: chainloading');
      const marker = text.indexOf(`${MARKER} on efi`);
      // In this order: our script, our GRUB finding the loader, the installed bootloader. No other
      // network boot option was tried in between.
      expect(script).toBeGreaterThanOrEqual(0);
      expect(chain).toBeGreaterThan(script);
      expect(marker).toBeGreaterThan(chain);
      expect(text.slice(script, marker)).not.toMatch(/PXE|HTTP Boot|>>Start/);
      expect(
        t.logs.some((l) => l.msg === 'request' && l.path === '/local-boot/bootx64.efi' && l.status === 200),
      ).toBe(true);
    },
    BOOT_MS + 30_000,
  );

  it(
    'BIOS: sanboot of the first disk reaches its bootloader',
    async () => {
      const vm = await bootsTheDisk('bios', '52:54:00:10:ca:02');
      const text = vm.console();
      expect(text.indexOf(`${MARKER} on pc`)).toBeGreaterThan(
        text.indexOf('Octofleet: nothing to install for'),
      );
    },
    BOOT_MS + 30_000,
  );
});

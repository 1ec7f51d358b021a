import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { skipUnlessInstalled } from '../tools/suite-needs.js';

/** Firmware of the emulated machine: SeaBIOS (`${platform}` = pcbios) or OVMF (`${platform}` = efi). */
export type Firmware = 'bios' | 'efi';

export const QEMU = 'qemu-system-x86_64';
export const OVMF = '/usr/share/ovmf/OVMF.fd';
// QEMU's e1000 option ROM, which is iPXE; used for BIOS and UEFI alike.
const E1000_ROM = '/usr/lib/ipxe/qemu/efi-e1000.rom';

/** Whether QEMU, the iPXE NIC ROM and (for `efi`) OVMF are installed; `reason` names what is missing. */
export function qemuAvailable(firmware?: Firmware): { available: boolean; reason?: string } {
  const onPath = (process.env.PATH ?? '').split(':').some((dir) => dir && existsSync(join(dir, QEMU)));
  const needed: [boolean, string][] = [
    [onPath, `${QEMU} (package qemu-system-x86)`],
    [existsSync(E1000_ROM), `${E1000_ROM} (package ipxe-qemu)`],
    [firmware === 'bios' || existsSync(OVMF), `${OVMF} (package ovmf)`],
  ];
  const missing = needed.filter(([ok]) => !ok).map(([, what]) => what);
  if (missing.length === 0) return { available: true };
  return { available: false, reason: `missing ${missing.join(', ')}; run .ci/install-packages.sh` };
}

/**
 * For `describe.skipIf(…)`: why the QEMU tests of `suite` (its `import.meta.filename`) cannot run here,
 * or undefined when they can. A skip is recorded for the summary at the end of the run; with CI=true a
 * missing package throws instead, so a CI machine lacking QEMU fails rather than silently skipping.
 */
export function qemuSkipReason(suite: string, firmware: Firmware = 'efi'): string | undefined {
  // cpio builds the tiny test initrd (test/support/pxe/artifacts.ts).
  const packages = ['qemu-system-x86', 'ipxe-qemu', 'cpio', ...(firmware === 'efi' ? ['ovmf'] : [])];
  return skipUnlessInstalled(suite, packages);
}

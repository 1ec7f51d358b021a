import { setTimeout as delay } from 'node:timers/promises';
import { ConsoleBuffer, cleanConsole } from '../pxe/qemu-console.js';
import type { PxeLab } from './lab.js';

const OVMF = '/usr/share/ovmf/OVMF.fd';

/**
 * What boots from the network:
 * - `efi-firmware-pxe`: OVMF's own PXE client on a virtio NIC whose iPXE ROM is disabled (`romfile=`);
 * - `bios-ipxe-rom`: SeaBIOS with the e1000's option ROM, which is iPXE.
 */
export type TapVmKind = 'efi-firmware-pxe' | 'bios-ipxe-rom';

/** Options of {@link bootTapVm}. */
export interface TapVmOptions {
  kind: TapVmKind;
  /** NIC MAC, lower-case colon notation. */
  mac: string;
  /** The VM is killed after this long. @defaultValue 150000 */
  timeoutMs?: number;
}

/** A QEMU machine on the lab's tap0. */
export interface TapVm {
  /** `Date.now()` at start, to measure boot stages. */
  readonly startedAt: number;
  /** Console so far (serial and firmware), escapes and `\r` removed. */
  console(): string;
  /** Resolves with the first console match; rejects with the console's tail on timeout or exit. */
  waitForConsole(pattern: RegExp, timeoutMs: number): Promise<RegExpMatchArray>;
  /** Types on the serial console one character at a time: iPXE's shell drops fast input. */
  type(text: string, perCharacterMs?: number): Promise<void>;
  /** Settles like `promise`, but rejects with the console's tail as soon as the VM exits first. */
  until<T>(promise: Promise<T>): Promise<T>;
}

/**
 * Boots QEMU (TCG, no display, no reboot) inside the lab namespace with `-netdev tap` on tap0, so its
 * DHCP, TFTP and HTTP traffic crosses the lab's bridge. The lab kills it on destroy.
 * @see docs/testing.md "The PXE network lab"
 */
export function bootTapVm(lab: PxeLab, options: TapVmOptions): TapVm {
  const timeoutMs = options.timeoutMs ?? 150_000;
  const nic =
    options.kind === 'efi-firmware-pxe'
      ? // romfile= (empty) disables the NIC's iPXE ROM: OVMF's own virtio driver and PXE client run.
        ['-bios', OVMF, '-device', `virtio-net-pci,netdev=n0,romfile=,mac=${options.mac},bootindex=1`]
      : ['-device', `e1000,netdev=n0,mac=${options.mac},bootindex=1`, '-boot', 'order=n,reboot-timeout=0'];
  const args = [
    ...['-accel', 'tcg', '-m', '512', '-nographic', '-no-reboot'],
    ...['-netdev', `tap,id=n0,ifname=${lab.tap},script=no,downscript=no`],
    ...nic,
  ];
  const child = lab.spawnIn(lab.ns.lab, 'qemu-system-x86_64', args);
  const startedAt = Date.now();
  const buffer = new ConsoleBuffer();
  child.stdout?.on('data', (chunk: Buffer) => buffer.push(chunk.toString('latin1')));
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  const exited = new Promise<void>((resolve) => {
    child.once('exit', () => {
      clearTimeout(timer);
      if (stderr.trim()) buffer.push(`\n[qemu stderr] ${cleanConsole(stderr)}\n`);
      buffer.close();
      resolve();
    });
  });

  return {
    startedAt,
    console: () => buffer.text(),
    waitForConsole: (pattern, waitMs) => buffer.waitFor(pattern, waitMs),
    async type(text, perCharacterMs = 100) {
      for (const character of text) {
        child.stdin?.write(character);
        await delay(perCharacterMs);
      }
    },
    until: (promise) =>
      Promise.race([
        promise,
        exited.then(() => {
          const tail = buffer.text().split('\n').slice(-30).join('\n');
          throw new Error(`the ${options.kind} VM exited first; console tail:\n${tail}`);
        }),
      ]),
  };
}

import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { createWriteStream, existsSync, mkdirSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConsoleBuffer, cleanConsole } from './qemu-console.js';

/** The address under which a QEMU user-networking guest reaches the host's 127.0.0.1. */
export const GUEST_HOST = '10.0.2.2';

/** Firmware of the emulated machine: SeaBIOS (`${platform}` = pcbios) or OVMF (`${platform}` = efi). */
export type Firmware = 'bios' | 'efi';

const QEMU = 'qemu-system-x86_64';
const OVMF = '/usr/share/ovmf/OVMF.fd';
// QEMU's e1000 option ROM, which is iPXE; used for BIOS and UEFI alike.
const E1000_ROM = '/usr/lib/ipxe/qemu/efi-e1000.rom';

/** Options of {@link bootQemu}. */
export interface BootQemuOptions {
  /** URL the NIC's iPXE chains to; use {@link GUEST_HOST} for servers on the host's loopback. */
  chainUrl: string;
  /** @defaultValue `'bios'` */
  firmware?: Firmware;
  /** NIC MAC, colon notation. @defaultValue random `52:54:00:xx:xx:xx` */
  mac?: string;
  /** SMBIOS system UUID (iPXE `${uuid}`). @defaultValue random */
  uuid?: string;
  /** SMBIOS type 1 strings (iPXE `${manufacturer}`, `${product}`, `${serial}`). @defaultValue QEMU's */
  smbios?: { manufacturer?: string; product?: string; serial?: string };
  /** @defaultValue 512 (the Debian installer needs 1024) */
  memoryMb?: number;
  /** The VM is killed after this long; `exited` then reports `timedOut`. @defaultValue 180000 */
  timeoutMs?: number;
  /** Called with every complete console line, ANSI escapes and `\r` removed. */
  onConsoleLine?: (line: string) => void;
  /** Appended to the QEMU command line. */
  extraArgs?: string[];
}

/** How a VM ended. `code` 0 says nothing about whether the boot worked: judge by the server. */
export interface QemuExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  timedOut: boolean;
}

/** A running VM. */
export interface QemuVm {
  readonly firmware: Firmware;
  readonly mac: string;
  readonly uuid: string;
  /** `Date.now()` when QEMU was started, to measure boot stages. */
  readonly startedAt: number;
  /** Settles when QEMU has exited and its TFTP dir is removed; never rejects. */
  readonly exited: Promise<QemuExit>;
  /** Stops the VM (SIGTERM, SIGKILL after 3 s); resolves like `exited`. */
  kill(): Promise<QemuExit>;
  /** Console output so far (serial + firmware), ANSI escapes and `\r` removed. */
  console(): string;
  /**
   * Resolves with the first match of `pattern` in the console; rejects with the console's tail when
   * `timeoutMs` passes or the VM exits first. @defaultValue timeoutMs 120000
   */
  waitForConsole(pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
}

const running = new Set<QemuVm>();
const children = new Set<ChildProcess>();
let exitHookInstalled = false;

/**
 * Boots a QEMU x86-64 machine (TCG, no display, no reboot) whose only boot device is an e1000 NIC
 * running iPXE, on QEMU user networking: its DHCP hands out `boot.ipxe` from a fresh TFTP dir, which
 * chains to `chainUrl`. Call {@link killAllVms} in `afterEach`/`afterAll`.
 * @see /work/shared/notes/pxe-qemu.md for timings and pitfalls.
 */
export async function bootQemu(options: BootQemuOptions): Promise<QemuVm> {
  const firmware = options.firmware ?? 'bios';
  const mac = (options.mac ?? randomMac()).toLowerCase();
  const uuid = options.uuid ?? randomUUID();
  const timeoutMs = options.timeoutMs ?? 180_000;
  if (!/^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/.test(mac)) throw new Error(`bootQemu: invalid MAC ${mac}`);
  if (!/^https?:\/\/[^\s]+$/.test(options.chainUrl)) throw new Error(`bootQemu: invalid chainUrl`);
  const missing = qemuAvailable(firmware).reason;
  if (missing) throw new Error(`bootQemu: ${missing}`);

  const tftpDir = await mkdtemp(join(tmpdir(), 'octofleet-tftp-'));
  await writeFile(join(tftpDir, 'boot.ipxe'), `#!ipxe\nchain ${options.chainUrl}\n`);
  const args = [
    ...['-accel', 'tcg', '-m', String(options.memoryMb ?? 512), '-nographic', '-no-reboot'],
    ...(firmware === 'efi' ? ['-bios', OVMF] : []),
    ...['-netdev', `user,id=n0,tftp=${qemuOpt(tftpDir)},bootfile=boot.ipxe`],
    // OVMF ignores -boot n: bootindex on the NIC is what makes it boot from the network.
    ...['-device', `e1000,netdev=n0,mac=${mac},bootindex=1`, '-boot', 'order=n,reboot-timeout=0'],
    ...['-uuid', uuid],
    ...smbiosArgs(options.smbios),
    ...(options.extraArgs ?? []),
  ];
  const child = spawn(QEMU, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const startedAt = Date.now();
  installExitHook();
  children.add(child);

  const buffer = new ConsoleBuffer(options.onConsoleLine);
  const logDir = process.env.OCTOFLEET_QEMU_CONSOLE_DIR;
  const log = logDir ? openLog(logDir, `${firmware}-${mac.replaceAll(':', '')}-${startedAt}.log`) : undefined;
  child.stdout.on('data', (chunk: Buffer) => {
    log?.write(chunk);
    buffer.push(chunk.toString('latin1'));
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });

  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    stop();
  }, timeoutMs);
  const exited = new Promise<QemuExit>((resolve) => {
    const done = async (code: number | null, signal: NodeJS.Signals | null) => {
      clearTimeout(timer);
      children.delete(child);
      log?.end();
      if (stderr.trim()) buffer.push(`\n[qemu stderr] ${cleanConsole(stderr)}\n`);
      buffer.close();
      await rm(tftpDir, { recursive: true, force: true });
      resolve({ code, signal, timedOut });
    };
    child.once('exit', done);
    child.once('error', (error) => {
      stderr += error.message;
      void done(null, null);
    });
  });

  function stop() {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const force = setTimeout(() => child.kill('SIGKILL'), 3000);
    void exited.then(() => clearTimeout(force));
  }

  const vm: QemuVm = {
    firmware,
    mac,
    uuid,
    startedAt,
    exited,
    kill: () => {
      stop();
      return exited;
    },
    console: () => buffer.text(),
    waitForConsole: (pattern, waitMs = 120_000) => buffer.waitFor(pattern, waitMs),
  };
  running.add(vm);
  void exited.then(() => running.delete(vm));
  return vm;
}

/** Kills every VM this process started and waits for them to exit (for `afterEach`/`afterAll`). */
export async function killAllVms(): Promise<void> {
  await Promise.all([...running].map((vm) => vm.kill()));
}

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
 * For `describe.skipIf(…)`: why QEMU tests cannot run here, or undefined when they can. Throws
 * instead when `CI` is set, so a CI machine lacking QEMU fails rather than silently skipping.
 */
export function qemuSkipReason(firmware: Firmware = 'efi'): string | undefined {
  const { reason } = qemuAvailable(firmware);
  if (reason && process.env.CI) throw new Error(`QEMU tests must run in CI: ${reason}`);
  return reason;
}

function randomMac() {
  return `52:54:00:${[...randomBytes(3)].map((byte) => byte.toString(16).padStart(2, '0')).join(':')}`;
}

/** QEMU option values escape a comma by doubling it. */
function qemuOpt(value: string) {
  return value.replaceAll(',', ',,');
}

function smbiosArgs(smbios: BootQemuOptions['smbios']) {
  const fields = Object.entries(smbios ?? {}).filter(([, value]) => value !== undefined);
  if (fields.length === 0) return [];
  return ['-smbios', ['type=1', ...fields.map(([key, value]) => `${key}=${qemuOpt(value)}`)].join(',')];
}

function openLog(dir: string, name: string) {
  mkdirSync(dir, { recursive: true });
  return createWriteStream(join(dir, name));
}

function installExitHook() {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // A test worker that dies must not leave VMs burning the CI's two cores.
  process.once('exit', () => {
    for (const child of children) child.kill('SIGKILL');
  });
}

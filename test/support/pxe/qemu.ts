import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { createWriteStream, mkdirSync } from 'node:fs';
import { copyFile, cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Firmware, OVMF, QEMU, qemuAvailable } from './qemu-availability.js';
import { ConsoleBuffer, cleanConsole } from './qemu-console.js';

export { type Firmware, qemuAvailable, qemuSkipReason } from './qemu-availability.js';

/** The address under which a QEMU user-networking guest reaches the host's 127.0.0.1. */
export const GUEST_HOST = '10.0.2.2';

/**
 * Console lines that mean a network boot has failed, for {@link BootQemuOptions.failOn}. Needed for
 * UEFI in particular: after iPXE gives up, OVMF tries its own PXE and HTTP boot and never exits.
 */
export const BOOT_FAILURE = /Could not boot image|Kernel panic|No bootable device/;

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
  /** Stop the VM as soon as a console line matches (see {@link BOOT_FAILURE}); `until` then says so. */
  failOn?: RegExp;
  /** Called with every complete console line, ANSI escapes and `\r` removed. */
  onConsoleLine?: (line: string) => void;
  /**
   * MACs of e1000 NICs placed before the booting one (lower PCI slots, found first, no boot index), each
   * on its own user network: a server that PXE-boots from its second port. @defaultValue none
   */
  leadingNics?: string[];
  /** Appended to the QEMU command line. */
  extraArgs?: string[];
  /**
   * UEFI Secure Boot enforced (OVMF secboot build with Microsoft's keys, q35 + SMM, secure pflash) and a
   * virtio NIC without QEMU's iPXE ROM, whose OVMF PXE loads `tftp.bootfile` from `tftp.dir` (copied):
   * the shim → GRUB chain. `firmware` must be `efi`; `chainUrl` is unused.
   * @see docs/pxe.md "Secure Boot" and docs/testing.md
   */
  secureBoot?: { tftpDir: string; bootfile: string };
}

/** OVMF with Secure Boot enforced, and the variable store with Microsoft's keys enrolled (package ovmf). */
export const OVMF_SECBOOT_CODE = '/usr/share/OVMF/OVMF_CODE_4M.secboot.fd';
export const OVMF_SECBOOT_VARS = '/usr/share/OVMF/OVMF_VARS_4M.ms.fd';

/** How a VM ended. `code` 0 says nothing about whether the boot worked: judge by the server. */
export interface QemuExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  timedOut: boolean;
  /** The console line that matched `failOn`, when that is why the VM was stopped. */
  failedOn?: string;
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
   * `timeoutMs` passes or the VM exits first. BIOS iPXE wraps its lines at 80 columns, so match short
   * phrases. @defaultValue timeoutMs 120000
   */
  waitForConsole(pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  /**
   * Settles like `promise` (say, a server waiting for a callback), but rejects with the console's
   * tail as soon as the VM exits first, so a failed boot fails the test at once and says why.
   */
  until<T>(promise: Promise<T>): Promise<T>;
}

const running = new Set<QemuVm>();
const children = new Set<ChildProcess>();
let exitHookInstalled = false;

/**
 * Boots a QEMU x86-64 machine (TCG, no display, no reboot) whose only boot device is an e1000 NIC
 * running iPXE, on QEMU user networking: its DHCP hands out `boot.ipxe` from a fresh TFTP dir, which
 * chains to `chainUrl`. Call {@link killAllVms} in `afterEach`/`afterAll`.
 * @see docs/testing.md "Real PXE clients in QEMU" for timings and pitfalls.
 */
export async function bootQemu(options: BootQemuOptions): Promise<QemuVm> {
  const firmware = options.firmware ?? 'bios';
  const mac = (options.mac ?? randomMac()).toLowerCase();
  const uuid = options.uuid ?? randomUUID();
  const timeoutMs = options.timeoutMs ?? 180_000;
  if (!/^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/.test(mac)) throw new Error(`bootQemu: invalid MAC ${mac}`);
  if (!/^https?:\/\/[^\s]+$/.test(options.chainUrl))
    throw new Error(`bootQemu: invalid chainUrl ${options.chainUrl}`);
  const missing = qemuAvailable(firmware).reason;
  if (missing) throw new Error(`bootQemu: ${missing}`);

  const tftpDir = await mkdtemp(join(tmpdir(), 'octofleet-tftp-'));
  const sb = options.secureBoot;
  if (sb) await cp(sb.tftpDir, tftpDir, { recursive: true });
  else await writeFile(join(tftpDir, 'boot.ipxe'), `#!ipxe\nchain ${options.chainUrl}\n`);
  if (sb) await copyFile(OVMF_SECBOOT_VARS, join(tftpDir, '.vars.fd')); // written to: one copy per VM
  const machine = sb
    ? [
        ...['-machine', 'q35,smm=on', '-smp', '1'],
        ...['-global', 'driver=cfi.pflash01,property=secure,value=on', '-global', 'ICH9-LPC.disable_s3=1'],
        ...['-drive', `if=pflash,format=raw,unit=0,file=${qemuOpt(OVMF_SECBOOT_CODE)},readonly=on`],
        ...['-drive', `if=pflash,format=raw,unit=1,file=${qemuOpt(join(tftpDir, '.vars.fd'))}`],
        ...['-fw_cfg', 'name=opt/org.tianocore/IPv6Support,string=no'],
        ...['-netdev', `user,id=n0,tftp=${qemuOpt(tftpDir)},bootfile=${qemuOpt(sb.bootfile)}`],
        // romfile= keeps QEMU's iPXE out: through iPXE's PXE, shim receives a truncated GRUB.
        ...['-device', `virtio-net-pci,romfile=,netdev=n0,mac=${mac},bootindex=1`],
      ]
    : [
        ...(firmware === 'efi' ? ['-bios', OVMF] : []),
        ...(options.leadingNics ?? []).flatMap((other, i) => [
          ...['-netdev', `user,id=lead${i}`],
          ...['-device', `e1000,netdev=lead${i},mac=${other}`],
        ]),
        ...['-netdev', `user,id=n0,tftp=${qemuOpt(tftpDir)},bootfile=boot.ipxe`],
        // OVMF ignores -boot n: bootindex on the NIC is what makes it boot from the network.
        ...['-device', `e1000,netdev=n0,mac=${mac},bootindex=1`, '-boot', 'order=n,reboot-timeout=0'],
      ];
  const args = [
    ...['-accel', 'tcg', '-m', String(options.memoryMb ?? 512), '-nographic', '-no-reboot'],
    ...machine,
    ...['-uuid', uuid],
    ...smbiosArgs(options.smbios),
    ...(options.extraArgs ?? []),
  ];
  const child = spawn(QEMU, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const startedAt = Date.now();
  installExitHook();
  children.add(child);

  let failedOn: string | undefined;
  const buffer = new ConsoleBuffer((line) => {
    options.onConsoleLine?.(line);
    if (failedOn === undefined && options.failOn?.test(line)) {
      failedOn = line;
      stop();
    }
  });
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
    let finished = false;
    const done = async (code: number | null, signal: NodeJS.Signals | null) => {
      if (finished) return; // a failed spawn may report both 'error' and 'exit'
      finished = true;
      clearTimeout(timer);
      children.delete(child);
      log?.end();
      if (stderr.trim()) buffer.push(`\n[qemu stderr] ${cleanConsole(stderr)}\n`);
      buffer.close();
      await rm(tftpDir, { recursive: true, force: true });
      resolve({ code, signal, timedOut, ...(failedOn === undefined ? {} : { failedOn }) });
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
    until: (promise) =>
      Promise.race([
        promise,
        exited.then((exit) => {
          const how = exit.failedOn
            ? `showed "${exit.failedOn}"`
            : exit.timedOut
              ? `was killed after ${timeoutMs} ms`
              : `exited (code ${exit.code})`;
          const tail = buffer.text().split('\n').slice(-30).join('\n');
          throw new Error(`the ${firmware} VM ${how} first; console tail:\n${tail}`);
        }),
      ]),
  };
  running.add(vm);
  void exited.then(() => running.delete(vm));
  return vm;
}

/** Kills every VM this process started and waits for them to exit (for `afterEach`/`afterAll`). */
export async function killAllVms(): Promise<void> {
  await Promise.all([...running].map((vm) => vm.kill()));
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

import { type ChildProcess, execFile, execFileSync, spawn } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { skipUnlessInstalled } from '../tools/suite-needs.js';

/**
 * A real IPMI-over-LAN BMC for tests: OpenIPMI's `ipmi_sim` (Debian package openipmi), whose chassis
 * power and boot device are a QEMU VM run by ./bmc-ctl.sh (ipmi_sim's `chassis_control` helper). Power
 * on starts the VM, which boots from the network when `chassis bootdev pxe` was set before; its iPXE
 * loads boot.ipxe from QEMU's TFTP server, which chains to `chainUrl`.
 */
export interface IpmiSim {
  /** `127.0.0.1:<udp port>`: what a machine's `bmc.address` says. */
  address: string;
  username: string;
  password: string;
  /** The VM's serial console so far. */
  serial(): Promise<string>;
  /** Resolves when the serial console matches; rejects after `timeoutMs`. */
  waitForSerial(pattern: RegExp, timeoutMs: number): Promise<void>;
  /** Whether the VM runs (what the BMC reports as power). */
  vmRunning(): Promise<boolean>;
  close(): Promise<void>;
}

const HELPER = fileURLToPath(new URL('./bmc-ctl.sh', import.meta.url));

/**
 * For `describe.skipIf(…)`: why the simulator cannot run for `suite` (its `import.meta.filename`), or
 * undefined. Recorded for the end-of-run summary; with CI=true a missing package fails the run.
 */
export function ipmiSimSkipReason(suite: string): string | undefined {
  return skipUnlessInstalled(suite, ['openipmi', 'ipmitool', 'qemu-system-x86', 'ipxe-qemu']);
}

export async function startIpmiSim(opts: {
  mac: string;
  chainUrl: string;
  password: string;
  memoryMb?: number;
}): Promise<IpmiSim> {
  const dir = await mkdtemp(join(tmpdir(), 'octofleet-ipmi-'));
  const vm = join(dir, 'vm');
  const tftp = join(dir, 'tftp');
  await mkdir(vm);
  await mkdir(tftp);
  await mkdir(join(dir, 'state'));
  await writeFile(join(vm, 'mac'), opts.mac);
  await writeFile(join(vm, 'tftp'), tftp);
  await writeFile(join(vm, 'memory'), String(opts.memoryMb ?? 512));
  await writeFile(join(tftp, 'boot.ipxe'), `#!ipxe\nchain ${opts.chainUrl}\n`);
  // lan.conf strings have no escapes (ipmi_sim reads "..." verbatim): keep the password plain.
  if (!/^[A-Za-z0-9._-]{1,20}$/.test(opts.password)) throw new Error('ipmi sim: use a plain password');
  const lanPort = await freeUdpPort();
  const kcsPort = await freeTcpPort();
  const name = `octo${lanPort}`;
  await writeFile(
    join(dir, 'bmc.emu'),
    [
      'mc_setbmc 0x20',
      'mc_add 0x20 0 no-device-sdrs 0x23 9 8 0x9f 0x1291 0xf02',
      'sel_enable 0x20 1000 0x0a',
      'mc_enable 0x20',
      '',
    ].join('\n'),
  );
  await writeFile(
    join(dir, 'lan.conf'),
    [
      `name "${name}"`,
      'set_working_mc 0x20',
      '  startlan 1',
      `    addr 127.0.0.1 ${lanPort}`,
      '    priv_limit admin',
      ...['callback', 'user', 'operator', 'admin'].map((p) => `    allowed_auths_${p} none md2 md5 straight`),
      `    guid ${randomGuid()}`,
      '  endlan',
      `  user 2 true "admin" "${opts.password}" admin 10 none md2 md5 straight`,
      `  serial kcs 127.0.0.1 ${kcsPort} codec VM`,
      `  chassis_control "${HELPER} ${vm} ${kcsPort}"`,
      '',
    ].join('\n'),
  );
  // -n: no console (required in the background); -s: a state dir of our own (the Debian default is
  // not writable, and stale users there would override lan.conf).
  const sim: ChildProcess = spawn('ipmi_sim', ['-c', 'lan.conf', '-f', 'bmc.emu', '-s', 'state', '-n'], {
    cwd: dir,
    stdio: ['ignore', 'ignore', 'ignore'],
  });
  const serialPath = join(vm, 'serial.log');
  const qemuPid = async () =>
    Number((await readFile(join(vm, 'qemu.pid'), 'utf8').catch(() => '')).trim()) || null;
  const alive = (pid: number) => {
    try {
      const stat = execFileSync('ps', ['-o', 'stat=', '-p', String(pid)], { encoding: 'utf8' }).trim();
      return stat !== '' && !stat.startsWith('Z');
    } catch {
      return false;
    }
  };
  const self: IpmiSim = {
    address: `127.0.0.1:${lanPort}`,
    username: 'admin',
    password: opts.password,
    serial: () => readFile(serialPath, 'latin1').catch(() => ''),
    async waitForSerial(pattern, timeoutMs) {
      const until = Date.now() + timeoutMs;
      while (!pattern.test(await self.serial())) {
        if (Date.now() > until) throw new Error(`VM serial did not show ${pattern} in ${timeoutMs} ms`);
        await new Promise((r) => setTimeout(r, 200));
      }
    },
    async vmRunning() {
      const pid = await qemuPid();
      return pid !== null && alive(pid);
    },
    async close() {
      // The VM first (killing ipmi_sim leaves QEMU running), then the simulator: only our own processes.
      const pid = await qemuPid();
      if (pid && alive(pid)) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {}
      }
      sim.kill('SIGTERM');
      await rm(dir, { recursive: true, force: true });
    },
  };
  // Ready once ipmitool gets an answer.
  const until = Date.now() + 15_000;
  for (;;) {
    if (await answers(lanPort, opts.password)) return self;
    if (sim.exitCode !== null || Date.now() > until) {
      await self.close();
      throw new Error(
        `ipmi_sim did not come up (exit ${sim.exitCode}); dir ${dir} exists=${existsSync(dir)}`,
      );
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

function answers(port: number, password: string): Promise<boolean> {
  return new Promise((done) =>
    execFile(
      'ipmitool',
      [
        '-I',
        'lanplus',
        '-C',
        '3',
        '-H',
        '127.0.0.1',
        '-p',
        String(port),
        '-U',
        'admin',
        '-E',
        '-N',
        '1',
        '-R',
        '1',
        'chassis',
        'power',
        'status',
      ],
      { env: { ...process.env, IPMI_PASSWORD: password }, timeout: 5000 },
      (error, stdout) => done(!error && /Chassis Power is/.test(stdout)),
    ),
  );
}

function randomGuid(): string {
  return [...Array(32)].map(() => Math.floor(Math.random() * 16).toString(16)).join('');
}

/** A UDP port nobody listens on (ipmi_sim binds with SO_REUSEADDR, so a taken one would not fail). */
function freeUdpPort(): Promise<number> {
  return new Promise((done, fail) => {
    const s = createSocket('udp4');
    s.on('error', fail);
    s.bind(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => done(port));
    });
  });
}

function freeTcpPort(): Promise<number> {
  return new Promise((done, fail) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => done(port));
    });
    probe.on('error', fail);
  });
}

import { execFile } from 'node:child_process';
import type { BootMode } from '../machines/machine.entity.js';
import { parseIpmiAddress } from '../machines/machine-input.js';
import {
  BmcError,
  bootModeLabel,
  type PowerDriver,
  type PowerState,
  type PxeResult,
} from './power-driver.js';

export interface IpmiSettings {
  /** `host` or `host:port` (UDP 623 by default). */
  address: string;
  username: string;
  password: string;
  /** lanplus cipher suite. @defaultValue 3 (ipmitool 1.8.19 without `-C` probes for 10 s first) */
  cipherSuite?: number;
  /** Per ipmitool call. @defaultValue 30 000 */
  timeoutMs?: number;
  /** The ipmitool binary. @defaultValue ipmitool */
  ipmitool?: string;
}

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * IPMI 2.0 over LAN with Debian's `ipmitool -I lanplus`. The password reaches ipmitool through the
 * environment (`-E` reads IPMI_PASSWORD), never the command line where `ps` would show it. ipmitool runs
 * with `-v` so a refused login says why ("RAKP 2 HMAC is invalid": wrong password) instead of only
 * "Unable to establish IPMI v2 / RMCP+ session", which also means "no answer".
 */
export class IpmiDriver implements PowerDriver {
  readonly label = 'IPMI';
  readonly warnings: string[] = [];
  private readonly host: string;
  private readonly port: number;

  constructor(private readonly s: IpmiSettings) {
    const parsed = parseIpmiAddress(s.address);
    if (!parsed) throw new BmcError('protocol', `"${s.address}" is not an IPMI address`);
    this.host = parsed.host;
    this.port = parsed.port;
  }

  async status(): Promise<PowerState> {
    const out = await this.ok(['chassis', 'power', 'status']);
    const m = /Chassis Power is (on|off)/i.exec(out.stdout);
    return m ? (m[1]!.toLowerCase() as PowerState) : 'unknown';
  }

  async on(): Promise<void> {
    await this.ok(['chassis', 'power', 'on']);
  }

  async off(): Promise<void> {
    await this.ok(['chassis', 'power', 'off']);
  }

  async cycle(): Promise<void> {
    await this.ok(['chassis', 'power', 'cycle']);
  }

  async pxeOnce(mode: BootMode): Promise<PxeResult> {
    const args = ['chassis', 'bootdev', 'pxe', ...(mode === 'uefi' ? ['options=efiboot'] : [])];
    const set = await this.ok(args);
    // `chassis bootdev` exits 0 even when the BMC refused (0xcc "Invalid data field in request"): only
    // the confirmation on stdout means it was set.
    if (!/Set Boot Device to pxe/i.test(set.stdout))
      throw new BmcError(
        'refused',
        `chassis bootdev pxe was not accepted: ${message(set) || 'no confirmation'}`,
      );
    const got = await this.ok(['chassis', 'bootparam', 'get', '5']);
    const device = /Boot Device Selector\s*:\s*(.+)/i.exec(got.stdout)?.[1]?.trim();
    if (!device || !/PXE/i.test(device))
      throw new BmcError(
        'override-reverted',
        `the BMC reads back boot device "${device ?? 'unknown'}" instead of PXE`,
      );
    const notes: string[] = [];
    const efi = /BIOS EFI boot/i.test(got.stdout);
    const valid = !/Boot Flag Invalid/i.test(got.stdout);
    // Many BMCs keep only the device selector (ipmi_sim among them): say so rather than fail.
    if (!valid || efi !== (mode === 'uefi'))
      notes.push(`the BMC did not confirm ${bootModeLabel(mode)} mode`);
    return { verified: true, notes };
  }

  async close(): Promise<void> {}

  /** Runs one ipmitool command; a non-zero exit becomes a {@link BmcError} in ipmitool's words. */
  private async ok(command: string[]): Promise<Run> {
    const run = await this.run(command);
    if (run.code !== 0) throw classify(run);
    return run;
  }

  private run(command: string[]): Promise<Run> {
    const args = [
      '-I',
      'lanplus',
      '-H',
      this.host,
      '-p',
      String(this.port),
      '-U',
      this.s.username,
      '-E',
      '-C',
      String(this.s.cipherSuite ?? 3),
      '-N',
      '3',
      '-R',
      '2',
      '-v',
      ...command,
    ];
    return new Promise((resolve, reject) => {
      execFile(
        this.s.ipmitool ?? 'ipmitool',
        args,
        {
          env: { ...process.env, IPMI_PASSWORD: this.s.password },
          timeout: this.s.timeoutMs ?? 30_000,
          maxBuffer: 1 << 20,
        },
        (error, stdout, stderr) => {
          const e = error as (NodeJS.ErrnoException & { killed?: boolean; code?: number | string }) | null;
          if (e?.code === 'ENOENT')
            return reject(
              new BmcError('unsupported', 'ipmitool is not installed (apt-get install ipmitool)'),
            );
          if (e?.killed)
            return reject(
              new BmcError('timeout', `ipmitool ${command.join(' ')} did not finish in time`, true),
            );
          resolve({ code: typeof e?.code === 'number' ? e.code : e ? 1 : 0, stdout, stderr });
        },
      );
    });
  }
}

/** ipmitool's complaint, without its verbose chatter, on one line. */
function message(run: Run): string {
  return run.stderr
    .split('\n')
    .map((l) => l.replace(/^>\s*/, '').trim())
    .filter((l) => l && !/^Loading IANA PEN Registry/i.test(l) && !/^(Running|Sent|Received|>>)/i.test(l))
    .join('; ')
    .slice(0, 300);
}

function classify(run: Run): BmcError {
  const text = message(run) || `ipmitool exited with ${run.code}`;
  if (
    /RAKP 2 HMAC is invalid|unauthorized name|invalid user ?name|insufficient privilege|password/i.test(
      run.stderr,
    )
  )
    return new BmcError('auth', `the BMC refused the user name or password: ${text}`);
  if (/insufficient resources|node busy/i.test(run.stderr)) return new BmcError('busy', text, true);
  if (/Get Auth Capabilities error|No response|timed? ?out|Unable to establish/i.test(run.stderr))
    return new BmcError('unreachable', `no IPMI answer from the BMC: ${text}`, true);
  return new BmcError('refused', text);
}

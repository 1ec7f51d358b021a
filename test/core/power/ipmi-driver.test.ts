import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IpmiDriver } from '../../../core/power/ipmi-driver.js';
import { BmcError } from '../../../core/power/power-driver.js';
import { type IpmiSim, ipmiSimSkipReason, startIpmiSim } from '../../support/ipmi-sim/ipmi-sim.js';
import { until } from '../../support/until.js';

// The IPMI driver against a real IPMI-over-LAN BMC: OpenIPMI's ipmi_sim driving a QEMU VM.
const skip = ipmiSimSkipReason(import.meta.filename);
const PASSWORD = 'Ipmi-Secret-4711';
const RECORDER = fileURLToPath(new URL('../../support/ipmi-sim/ipmitool-recorder.sh', import.meta.url));
let sim: IpmiSim;
let recordDir: string;

beforeAll(async () => {
  if (skip) return;
  recordDir = await mkdtemp(join(tmpdir(), 'octofleet-ipmitool-'));
  process.env.IPMITOOL_RECORD = join(recordDir, 'argv.log');
  // Nothing answers the chain URL: the VM's iPXE tries it, which is all these tests need.
  sim = await startIpmiSim({
    mac: '52:54:00:99:00:01',
    chainUrl: 'http://10.0.2.2:9/boot.ipxe',
    password: PASSWORD,
  });
}, 30_000);
afterAll(async () => {
  await sim?.close();
  if (recordDir) await rm(recordDir, { recursive: true, force: true });
});

const driver = (password = PASSWORD) =>
  new IpmiDriver({
    address: sim.address,
    username: 'admin',
    password,
    ipmitool: RECORDER,
    timeoutMs: 20_000,
  });

describe.skipIf(skip)('IPMI driver against ipmi_sim', () => {
  it('sets PXE once (read back), powers on into a network boot, cycles, powers off', async () => {
    const d = driver();
    expect(await d.status()).toBe('off');
    expect(await d.pxeOnce('uefi')).toEqual({ verified: true, notes: ['the BMC did not confirm UEFI mode'] });
    await d.on();
    // ipmi_sim applies chassis control on its 1 s timer.
    await until(async () => (await d.status()) === 'on', 'the BMC reports on', 15_000);
    expect(await sim.vmRunning()).toBe(true);
    // PXE once took effect: the VM's firmware starts a network boot.
    await sim.waitForSerial(/iPXE/, 60_000);
    await d.cycle();
    await d.off();
    await until(async () => (await d.status()) === 'off', 'the BMC reports off', 15_000);
    expect(await sim.vmRunning()).toBe(false);
  }, 120_000);

  it('a wrong password is bmc:auth at once, in ipmitool’s words', async () => {
    const e = await driver('Wrong-One-123')
      .status()
      .catch((x: unknown) => x);
    expect(e).toBeInstanceOf(BmcError);
    expect(e).toMatchObject({ code: 'bmc:auth', transient: false });
    expect((e as Error).message).toMatch(/refused the user name or password: .*RAKP 2 HMAC is invalid/);
  });

  it('no answer is transient (bmc:unreachable)', async () => {
    const d = new IpmiDriver({
      address: '127.0.0.1:9',
      username: 'admin',
      password: PASSWORD,
      timeoutMs: 20_000,
    });
    await expect(d.status()).rejects.toMatchObject({ code: 'bmc:unreachable', transient: true });
  }, 30_000);

  it('passes the password through the environment, never on the command line', async () => {
    const record = await readFile(process.env.IPMITOOL_RECORD!, 'utf8');
    expect(record).toMatch(/-I lanplus -H 127\.0\.0\.1 -p \d+ -U admin -E -C 3 /);
    expect(record).toContain('env:IPMI_PASSWORD set');
    expect(record).not.toContain(PASSWORD);
    expect(record).not.toMatch(/ -P /);
  });
});

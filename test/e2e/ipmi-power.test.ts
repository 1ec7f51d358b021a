import { createServer } from 'node:net';
import { dirname } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BootServer, createBootServer } from '../../boot-server/create-boot-server.js';
import { type IpmiSim, ipmiSimSkipReason, startIpmiSim } from '../support/ipmi-sim/ipmi-sim.js';
import { ensureTinyLinux } from '../support/pxe/artifacts.js';
import { GUEST_HOST, qemuSkipReason } from '../support/pxe/qemu.js';
import { TINY_LINUX_TAG } from '../support/pxe/tiny-linux-init.js';
import { until } from '../support/until.js';
import {
  cardOf,
  deploy,
  type Harness,
  settled,
  startHarness,
  threadShows,
} from '../worker/support/harness.js';

// Zero-touch end to end: an approval in chat → the worker's IPMI calls (ipmitool lanplus) to a real
// IPMI BMC simulator (OpenIPMI ipmi_sim) → the BMC powers a QEMU VM on with PXE once → iPXE → the
// boot server's install script → the tiny test Linux → its callbacks take the deployment to done.
const skip = ipmiSimSkipReason(import.meta.filename) ?? qemuSkipReason(import.meta.filename, 'bios');

const BOOT_MS = 180_000;
const PASSWORD = 'Ipmi-E2e-Secret-9';
let h: Harness;
let server: BootServer;
let sim: IpmiSim;
let port: number;

function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port: p } = probe.address() as { port: number };
      probe.close(() => done(p));
    });
    probe.on('error', fail);
  });
}

const status = async (id: number) => (await h.core.deployments.repository().get(id)).status;

describe.skipIf(skip)('approval powers a machine on through IPMI and it installs itself', () => {
  beforeAll(async () => {
    const tiny = await ensureTinyLinux();
    port = await freePort();
    h = await startHarness({
      BOOT_HOST: '127.0.0.1',
      BOOT_PORT: String(port),
      API_PORT: '0',
      PUBLIC_BOOT_URL: `http://${GUEST_HOST}:${port}`,
      ARTIFACTS_DIR: dirname(tiny.kernel),
      POWER_ATTEMPTS: '2',
      POWER_BACKOFF_SECONDS: '1',
    });
    server = createBootServer(h.core);
    await server.start();
    await h.core.deployments.images().create({
      id: 'tinylinux',
      name: 'Tiny Linux',
      family: 'linux',
      boot: {
        method: 'linux',
        kernel: 'vmlinuz',
        initrd: ['initrd.gz'],
        cmdline: 'console=ttyS0 cb={{callbackUrl}}',
      },
    });
    sim = await startIpmiSim({
      mac: '52:54:00:1e:00:01',
      chainUrl: `http://${GUEST_HOST}:${port}/boot.ipxe`,
      password: PASSWORD,
    });
  }, 300_000);
  afterAll(async () => {
    await sim?.close();
    await server?.stop();
    await h?.close();
  });

  it('a wrong BMC password is one clear line; the deployment stays approved and nothing powers on', async () => {
    await h.core.machines.put('ipmi-wrong', {
      mac: '52:54:00:1e:00:02',
      bmc: { driver: 'ipmi', address: sim.address, username: 'admin', password: 'Not-The-Password-1' },
      bootMode: 'legacy',
    });
    const id = await deploy(h, 'alice', 'host:ipmi-wrong os:tinylinux');
    await h.platform.react('bob', await cardOf(h, id), 'approve');
    await threadShows(h, id, /⚠️/);
    await settled(h);
    const lines = h.platform.threadLines(id).filter((l) => /⚡|⚠️/.test(l));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      /^⚠️ Could not power ipmi-wrong on via IPMI: the BMC refused the user name or password: .*RAKP 2 HMAC is invalid.*Power it on by hand/,
    );
    expect(await status(id)).toBe('approved');
    expect(await sim.vmRunning()).toBe(false);
    await h.core.deployments.cancel(id, { platform: 'shell', id: 'bob', name: 'bob' }, { approver: true });
  }, 60_000);

  it(
    '/deploy host:… → ✅ → PXE once + power on via IPMI → iPXE → tiny Linux → done, with the power line in the thread',
    async () => {
      await h.core.machines.put('ipmi01', {
        mac: '52:54:00:1e:00:01',
        bmc: { driver: 'ipmi', address: sim.address, username: 'admin', password: PASSWORD },
        bootMode: 'legacy',
        tags: ['lab'],
      });
      expect(await sim.vmRunning()).toBe(false);
      const id = await deploy(h, 'alice', 'host:ipmi01 os:tinylinux');
      const approvedAt = Date.now();
      await h.platform.react('bob', await cardOf(h, id), 'approve');
      await threadShows(h, id, /⚡ PXE once set via IPMI \(Legacy\), verified.* · powered on/);
      const poweredAt = Date.now();
      // The VM fetched its per-MAC script from the boot server: the deployment is booting.
      await until(async () => (await status(id)) !== 'approved', 'the VM fetched its install script', 90_000);
      const bootingAt = Date.now();
      await until(async () => (await status(id)) === 'done', 'the tiny Linux reported done', BOOT_MS);
      await sim.waitForSerial(new RegExp(`${TINY_LINUX_TAG} all callbacks sent`), 30_000);
      await threadShows(h, id, /Done in/);
      console.info(
        `[ipmi-e2e] approval → power line ${((poweredAt - approvedAt) / 1000).toFixed(1)} s, → booting ${((bootingAt - approvedAt) / 1000).toFixed(1)} s, → done ${((Date.now() - approvedAt) / 1000).toFixed(1)} s`,
      );
      const events = (await h.core.deployments.repository().events(id)).map((e) => e.stage);
      expect(events.slice(0, 5)).toEqual(['requested', 'approved', 'power_pxe', 'power_on', 'booting']);
      expect(events.at(-1)).toBe('done');
      const lines = h.platform.threadLines(id);
      expect(lines[0]).toMatch(/^👍 Approved by bob/);
      expect(lines[1]).toMatch(/^⚡ PXE once set via IPMI \(Legacy\), verified.* · powered on$/);
      expect(lines).toContainEqual(expect.stringMatching(/^🟢 Booting — BIOS/));
      const everything = JSON.stringify([...h.platform.threads.values(), [...h.platform.cards.values()]]);
      expect(everything).not.toContain(PASSWORD);
    },
    BOOT_MS + 120_000,
  );
});

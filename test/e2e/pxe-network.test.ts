// The PXE network service on a real (virtual) network: a site DHCP server, our generated proxy-DHCP/TFTP
// dnsmasq and the boot server, each in namespaces made for one scenario, and a QEMU machine on a tap
// device booting from the network. Judged by dnsmasq's log and by what the boot server answered.
// See docs/testing.md ("The PXE network lab") for the topology, timings and pitfalls.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type BootServer, createBootServer } from '../../boot-server/create-boot-server.js';
import type { Core } from '../../core/create-core.js';
import { freePort } from '../support/free-port.js';
import { type DhcpExchange, parseDhcpLog, tftpTransfers } from '../support/pxe-network/dhcp-log.js';
import { type DnsmasqProcess, startDnsmasq } from '../support/pxe-network/dnsmasq.js';
import {
  createPxeLab,
  LAB_ADDRESSES,
  LAB_NETMASK,
  LAB_SUBNET,
  type PxeLab,
} from '../support/pxe-network/lab.js';
import { poseAsPlainPxe } from '../support/pxe-network/pose-as-plain-pxe.js';
import { type RecordingServer, startRecordingServer } from '../support/pxe-network/recording-server.js';
import { runPxeConfig } from '../support/pxe-network/run-pxe-config.js';
import { startSiteDhcp } from '../support/pxe-network/site-dhcp.js';
import { pxeNetworkSkipReason } from '../support/pxe-network/skip-reason.js';
import { bootTapVm, type TapVm, type TapVmKind } from '../support/pxe-network/tap-vm.js';
import { alice, approver, bob, createTestCore } from '../support/test-core.js';

// Full mode leases from a range of its own, away from the site server's 10.99.0.100–199.
const FULL_RANGE = { PXE_RANGE_START: '10.99.0.50', PXE_RANGE_END: '10.99.0.90' };
const skipReason = pxeNetworkSkipReason(import.meta.filename);

interface Scenario {
  lab: PxeLab;
  site: DnsmasqProcess;
  pxe: DnsmasqProcess;
  http: RecordingServer;
  tftpRoot: string;
  vm?: TapVm;
}

describe.skipIf(skipReason)('PXE network service: firmware PXE clients in namespaces', () => {
  let bootPort: number;
  let bootUrl: string;
  let core: Core;
  let bootServer: BootServer;
  let current: Scenario | undefined;

  beforeAll(async () => {
    bootPort = await freePort();
    bootUrl = `http://${LAB_ADDRESSES.bootServer}:${bootPort}`;
    // The real boot server on a fresh database. Its Koa app is served on the lab's veth by each
    // scenario's recording listener, so the lab exists only while a scenario runs.
    core = await createTestCore({ PUBLIC_BOOT_URL: bootUrl });
    bootServer = createBootServer(core, { pollSeconds: 5 });
  });

  afterAll(async () => {
    await bootServer?.stop();
    await core?.close();
  });

  afterEach(async (context) => {
    const scenario = current;
    current = undefined;
    // OCTOFLEET_PXE_LOG_DIR keeps each scenario's dnsmasq logs and console for a post-mortem.
    const logDir = process.env.OCTOFLEET_PXE_LOG_DIR;
    if (logDir && scenario?.pxe) {
      const name = context.task.name.replace(/[^a-z0-9]+/gi, '-').slice(0, 60);
      await mkdir(logDir, { recursive: true });
      await writeFile(join(logDir, `${name}.pxe.log`), scenario.pxe.log());
      await writeFile(join(logDir, `${name}.site.log`), scenario.site.log());
      if (scenario.vm) await writeFile(join(logDir, `${name}.console.log`), scenario.vm.console());
    }
    await scenario?.http.close();
    await scenario?.lab.destroy();
  });

  /**
   * Fresh namespaces, the site DHCP server (or only its router advertisement, in full mode), our
   * dnsmasq running what `npm run pxe:config` wrote, and the boot server on the lab's veth.
   */
  async function setUp(mode: 'proxy' | 'full' = 'proxy'): Promise<Scenario> {
    const lab = await createPxeLab();
    current = { lab } as Scenario;
    const site = await startSiteDhcp(lab, { leases: mode === 'proxy' });
    const { conf, tftpRoot } = await runPxeConfig(lab, {
      PUBLIC_BOOT_URL: bootUrl,
      PXE_MODE: mode,
      PXE_INTERFACE: lab.innerInterface,
      PXE_NETMASK: LAB_NETMASK,
      PXE_SERVER_ADDRESS: LAB_ADDRESSES.pxe,
      PXE_UEFI_BINARY: 'ipxe.efi',
      ...(mode === 'proxy' ? { PXE_SUBNET: LAB_SUBNET } : FULL_RANGE),
    });
    const pxe = await startDnsmasq(lab, lab.ns.pxe, conf, /TFTP root is/);
    const http = await startRecordingServer(
      bootServer.bootApp.callback(),
      LAB_ADDRESSES.bootServer,
      bootPort,
    );
    current = { lab, site, pxe, http, tftpRoot };
    return current;
  }

  /** A deployment of Debian 12 for `mac` as chat would make it: pending, or approved by bob. */
  async function deploymentFor(mac: string, hostname: string, approve: boolean) {
    const { deployment } = await core.deployments.request({ mac, os: 'debian12', hostname }, alice);
    if (approve) await core.deployments.approve(deployment.id, bob, approver);
    return deployment.id;
  }

  function boot(scenario: Scenario, kind: TapVmKind, mac: string): TapVm {
    scenario.vm = bootTapVm(scenario.lab, { kind, mac, timeoutMs: 150_000 });
    return scenario.vm;
  }

  /** Waits for `/boot.ipxe` and then the per-MAC script, both answered by the boot server. */
  async function reachesBootServer({ http }: Scenario, vm: TapVm, mac: string, timeoutMs: number) {
    const script = await vm.until(http.waitFor((r) => r.url.startsWith(`/ipxe/${hyphens(mac)}`), timeoutMs));
    const entry = http.answered.find((r) => r.url === '/boot.ipxe');
    expect(entry, 'GET /boot.ipxe').toBeDefined();
    expect(entry!.status).toBe(200);
    expect(entry!.at).toBeLessThanOrEqual(script.at);
    expect(entry!.userAgent).toMatch(/^iPXE\//);
    expect(script.status).toBe(200);
    expect(script.body).toMatch(/^#!ipxe\n/);
    return { entry: entry!, script };
  }

  it('UEFI firmware PXE (not iPXE) gets ipxe.efi over TFTP from the proxy, then HTTP', async () => {
    const scenario = await setUp();
    const mac = '52:54:00:99:00:01';
    const id = await deploymentFor(mac, 'pxe-uefi', true);
    const vm = boot(scenario, 'efi-firmware-pxe', mac);
    // OVMF needs ~15 s to the first HTTP request; without any proxy answer it gives up after ~63 s.
    const { entry, script } = await reachesBootServer(scenario, vm, mac, 100_000);
    expect(new URL(script.url, bootUrl).searchParams.get('platform')).toBe('efi');
    // The boot server served the install script and recorded what the machine's iPXE reported.
    expect(script.body).toMatch(/^kernel \S+\/files\/debian\/12\/linux /m);
    const deployment = await core.deployments.repository().get(id);
    expect(deployment.status).toBe('booting');
    expect(deployment.boot).toMatchObject({ platform: 'efi', arch: 'x86_64' });

    const exchanges = parseDhcpLog(scenario.pxe.log()).filter((e) => e.mac === mac);
    const firmware = exchanges.filter(
      (e) => !e.userClass && e.vendorClass?.startsWith('PXEClient:Arch:00007'),
    );
    expect(firmware.flatMap((e) => e.bootFiles)).toContain('ipxe.efi');
    expect(firmware.flatMap((e) => e.bootFiles)).not.toContain(`${bootUrl}/boot.ipxe`);
    const ipxe = exchanges.filter((e) => e.userClass === 'iPXE');
    expectSentToHttp(ipxe, bootUrl);
    // The address came from the site's DHCP server; ours only added boot information.
    expect(scenario.site.log()).toMatch(new RegExp(`DHCPACK\\(eth0\\) 10\\.99\\.0\\.\\d+ ${mac}`));
    expect(scenario.pxe.log()).not.toMatch(/DHCPACK/);

    const transfers = tftpTransfers(scenario.pxe.log());
    expect(transfers.map((t) => t.file)).toContain(join(scenario.tftpRoot, 'ipxe.efi'));
    expect(transfers.map((t) => t.file)).not.toContain(join(scenario.tftpRoot, 'undionly.kpxe'));
    report('UEFI firmware PXE', vm, scenario, entry.at, script.at);
  }, 130_000);

  it('BIOS iPXE ROM is sent straight to HTTP, never to TFTP', async () => {
    const scenario = await setUp();
    const mac = '52:54:00:99:00:02';
    const id = await deploymentFor(mac, 'pxe-bios', false);
    const vm = boot(scenario, 'bios-ipxe-rom', mac);
    const { entry, script } = await reachesBootServer(scenario, vm, mac, 60_000);
    expect(new URL(script.url, bootUrl).searchParams.get('platform')).toBe('pcbios');
    // Not approved yet: the machine is told to wait and ask again.
    expect(script.body).toContain(`deployment ${id} (debian12 as pxe-bios) is waiting for approval`);
    expect((await core.deployments.repository().get(id)).status).toBe('pending_approval');

    const exchanges = parseDhcpLog(scenario.pxe.log()).filter((e) => e.mac === mac);
    expect(exchanges.length).toBeGreaterThan(0);
    expectSentToHttp(exchanges, bootUrl);
    expect(tftpTransfers(scenario.pxe.log())).toEqual([]);
    expect(scenario.pxe.log()).not.toMatch(/dnsmasq-tftp\[\d+\]: (?!TFTP root)/);
    report('BIOS iPXE ROM', vm, scenario, entry.at, script.at);
  }, 90_000);

  it('BIOS posing as plain PXE gets undionly.kpxe exactly once, which then reaches HTTP', async () => {
    const scenario = await setUp();
    const mac = '52:54:00:99:00:03';
    const id = await deploymentFor(mac, 'pxe-plain', true);
    const vm = boot(scenario, 'bios-ipxe-rom', mac);
    await poseAsPlainPxe(vm);
    const { entry, script } = await reachesBootServer(scenario, vm, mac, 60_000);
    expect(new URL(script.url, bootUrl).searchParams.get('platform')).toBe('pcbios');
    const deployment = await core.deployments.repository().get(id);
    expect(deployment.status).toBe('booting');
    expect(deployment.boot).toMatchObject({ platform: 'pcbios', arch: 'i386' });

    const exchanges = parseDhcpLog(scenario.pxe.log()).filter((e) => e.mac === mac);
    const posing = exchanges.filter((e) => e.userClass === 'notipxe');
    expect(posing.map((e) => e.port)).toEqual(expect.arrayContaining([67, 4011]));
    expect(posing.flatMap((e) => e.tags)).not.toContain('ipxe');
    // Port 67 offers the menu; the boot server request on port 4011 is answered with the file.
    expect(posing.flatMap((e) => e.bootFiles)).toEqual(['undionly.kpxe']);
    const undionly = tftpTransfers(scenario.pxe.log()).filter((t) => t.file.endsWith('/undionly.kpxe'));
    expect(undionly).toHaveLength(1);
    // undionly.kpxe is iPXE: its own DHCP carries the iPXE user class and is sent to HTTP.
    const chained = exchanges.filter((e) => e.userClass === 'iPXE');
    expect(chained.map((e) => e.port)).not.toContain(4011);
    expect(chained.length).toBeGreaterThan(0);
    expectSentToHttp(chained, bootUrl);
    report('BIOS plain PXE (Ctrl-B)', vm, scenario, entry.at, script.at);
  }, 120_000);

  it('full mode leases an address itself, announces no gateway, and sends iPXE to HTTP', async () => {
    const scenario = await setUp('full');
    const mac = '52:54:00:99:00:04';
    await deploymentFor(mac, 'pxe-full', false);
    const vm = boot(scenario, 'bios-ipxe-rom', mac);
    const { entry, script } = await reachesBootServer(scenario, vm, mac, 60_000);
    // The lease is ours, from PXE_RANGE_START–END; the site namespace only advertised IPv6.
    const ack = scenario.pxe.log().match(new RegExp(`DHCPACK\\(eth0\\) 10\\.99\\.0\\.(\\d+) ${mac}`));
    expect(Number(ack?.[1])).toBeGreaterThanOrEqual(50);
    expect(Number(ack?.[1])).toBeLessThanOrEqual(90);
    expect(scenario.site.log()).not.toMatch(/DHCPACK/);
    // No PXE_ROUTER: iPXE prints a gateway after the netmask when it is given one.
    expect(vm.console()).toMatch(new RegExp(`net0: 10\\.99\\.0\\.${ack?.[1]}/255\\.255\\.255\\.0\n`));
    expectSentToHttp(
      parseDhcpLog(scenario.pxe.log()).filter((e) => e.mac === mac && e.userClass === 'iPXE'),
      bootUrl,
    );
    expect(tftpTransfers(scenario.pxe.log())).toEqual([]);
    report('BIOS iPXE ROM, full mode', vm, scenario, entry.at, script.at);
  }, 90_000);
});

/** Every answer to an iPXE client names the boot script URL and a next-server, never a TFTP file. */
function expectSentToHttp(exchanges: DhcpExchange[], bootUrl: string) {
  expect(exchanges.length).toBeGreaterThan(0);
  for (const exchange of exchanges) {
    expect(exchange.tags, exchange.lines.join('\n')).toContain('ipxe');
    expect(exchange.bootFiles.length, exchange.lines.join('\n')).toBeGreaterThan(0);
    for (const file of exchange.bootFiles) expect(file).toBe(`${bootUrl}/boot.ipxe`);
    expect(exchange.nextServer).toBe(LAB_ADDRESSES.pxe);
  }
}

/** Prints the measured stages: the expensive part of CI, worth watching. */
function report(name: string, vm: TapVm, { pxe }: Scenario, entryAt: number, scriptAt: number) {
  const since = (at: number | undefined) =>
    at === undefined ? '–' : `${((at - vm.startedAt) / 1000).toFixed(1)} s`;
  const firstAnswer = pxe.lines(/ proxy$|DHCPOFFER/)[0]?.at;
  const firstTftp = pxe.lines(/dnsmasq-tftp.*sent /)[0]?.at;
  console.info(
    `${name}: first DHCP answer ${since(firstAnswer)}, TFTP ${since(firstTftp)}, /boot.ipxe ${since(entryAt)}, per-MAC script ${since(scriptAt)}`,
  );
}

function hyphens(mac: string) {
  return mac.replaceAll(':', '-');
}

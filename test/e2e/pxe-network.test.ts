// The PXE network service on a real (virtual) network: a site DHCP server, our generated proxy-DHCP/TFTP
// dnsmasq and the boot server, each in namespaces made for one scenario, and a QEMU machine on a tap
// device booting from the network. Judged by dnsmasq's log and by what the boot server answered.
// See /work/shared/notes/pxe-network.md for the topology, timings and pitfalls.
import { execFile } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type DhcpExchange, parseDhcpLog, tftpTransfers } from '../support/pxe-network/dhcp-log.js';
import { type DnsmasqProcess, startDnsmasq } from '../support/pxe-network/dnsmasq.js';
import {
  createPxeLab,
  LAB_ADDRESSES,
  LAB_NETMASK,
  LAB_SUBNET,
  type PxeLab,
} from '../support/pxe-network/lab.js';
import { type RecordingServer, startRecordingServer } from '../support/pxe-network/recording-server.js';
import { startSiteDhcp } from '../support/pxe-network/site-dhcp.js';
import { pxeNetworkSkipReason } from '../support/pxe-network/skip-reason.js';
import { bootTapVm, type TapVm, type TapVmKind } from '../support/pxe-network/tap-vm.js';

const execFileAsync = promisify(execFile);
const ROOT = join(import.meta.dirname, '..', '..');
const skipReason = pxeNetworkSkipReason();
if (skipReason) console.warn(`skipping the PXE network test: ${skipReason}`);

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
  let handler: (req: IncomingMessage, res: ServerResponse) => void;
  let current: Scenario | undefined;

  beforeAll(async () => {
    bootPort = await freePort();
    bootUrl = `http://${LAB_ADDRESSES.bootServer}:${bootPort}`;
    handler = standInBootServer(bootUrl);
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

  /** Fresh namespaces, the site DHCP server, `npm run pxe:config` output in dnsmasq, the boot server. */
  async function setUp(): Promise<Scenario> {
    const lab = await createPxeLab();
    current = { lab } as Scenario;
    const site = await startSiteDhcp(lab);
    const tftpRoot = join(lab.dir, 'tftp');
    const conf = join(lab.dir, 'pxe-dnsmasq.conf');
    await execFileAsync(
      join(ROOT, 'node_modules', '.bin', 'tsx'),
      [
        'cli/pxe-config.ts',
        ...['--out', conf, '--tftp'],
        ...[
          '--pid-file',
          join(lab.dir, 'pxe-dnsmasq.pid'),
          '--lease-file',
          join(lab.dir, 'pxe-dnsmasq.leases'),
        ],
      ],
      {
        cwd: ROOT,
        env: {
          PATH: process.env.PATH,
          PUBLIC_BOOT_URL: bootUrl,
          PXE_MODE: 'proxy',
          PXE_INTERFACE: lab.innerInterface,
          PXE_SUBNET: LAB_SUBNET,
          PXE_NETMASK: LAB_NETMASK,
          PXE_SERVER_ADDRESS: LAB_ADDRESSES.pxe,
          PXE_TFTP_ROOT: tftpRoot,
          PXE_UEFI_BINARY: 'ipxe.efi',
        },
      },
    );
    const pxe = await startDnsmasq(lab, lab.ns.pxe, conf, /TFTP root is/);
    const http = await startRecordingServer(handler, LAB_ADDRESSES.bootServer, bootPort);
    current = { lab, site, pxe, http, tftpRoot };
    return current;
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
    const vm = boot(scenario, 'efi-firmware-pxe', mac);
    // OVMF needs ~15 s to the first HTTP request; without any proxy answer it gives up after ~63 s.
    const { entry, script } = await reachesBootServer(scenario, vm, mac, 100_000);
    expect(new URL(script.url, bootUrl).searchParams.get('platform')).toBe('efi');

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
    const vm = boot(scenario, 'bios-ipxe-rom', mac);
    const { entry, script } = await reachesBootServer(scenario, vm, mac, 60_000);
    expect(new URL(script.url, bootUrl).searchParams.get('platform')).toBe('pcbios');

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
    const vm = boot(scenario, 'bios-ipxe-rom', mac);
    await vm.until(vm.waitForConsole(/Press Ctrl-B/, 30_000));
    await vm.type('\x02');
    let prompts = 1;
    await vm.until(vm.waitForConsole(/iPXE>/, 15_000));
    // The ROM's shell imitates a plain PXE client: no iPXE user class, PXE boot server discovery
    // on port 4011, then the file the proxy named, over TFTP (notes: "A firmware PXE client…").
    for (const command of [
      'set user-class notipxe',
      'dhcp net0',
      'pxebs net0 128',
      'clear user-class',
      'chain tftp://${pxebs/next-server}/${pxebs/filename}',
    ]) {
      await vm.type(`${command}\n`);
      if (command.startsWith('chain')) break;
      prompts += 1;
      await vm.until(vm.waitForConsole(new RegExp(`(iPXE>[^]*){${prompts}}`), 30_000));
    }
    const { entry, script } = await reachesBootServer(scenario, vm, mac, 60_000);
    expect(new URL(script.url, bootUrl).searchParams.get('platform')).toBe('pcbios');

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
  const firstProxy = pxe.lines(/ proxy$/)[0]?.at;
  const firstTftp = pxe.lines(/dnsmasq-tftp.*sent /)[0]?.at;
  console.info(
    `${name}: first proxy answer ${since(firstProxy)}, TFTP ${since(firstTftp)}, /boot.ipxe ${since(entryAt)}, per-MAC script ${since(scriptAt)}`,
  );
}

function hyphens(mac: string) {
  return mac.replaceAll(':', '-');
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Stand-in until the boot server lands: the DESIGN.md answers for /boot.ipxe and /ipxe/:mac. */
function standInBootServer(bootUrl: string) {
  return (req: IncomingMessage, res: ServerResponse) => {
    const path = new URL(req.url ?? '/', bootUrl).pathname;
    if (path === '/boot.ipxe') {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end(
        `#!ipxe\nchain ${bootUrl}/ipxe/\${net0/mac:hexhyp}?platform=\${platform:uristring}&arch=\${buildarch:uristring}\n`,
      );
    } else if (path.startsWith('/ipxe/')) {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end('#!ipxe\necho Waiting for approval\nsleep 600\n');
    } else {
      res.writeHead(404).end();
    }
  };
}

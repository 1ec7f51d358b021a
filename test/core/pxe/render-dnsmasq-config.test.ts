import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../core/config/index.js';
import { renderDnsmasqConfig } from '../../../core/pxe/index.js';
import { skipUnlessInstalled } from '../../support/tools/suite-needs.js';

// Golden files: `UPDATE_GOLDEN=1 npx vitest run test/core/pxe` rewrites them; review the diff.
const GOLDEN_DIR = join(import.meta.dirname, 'golden');
const UPDATE = process.env.UPDATE_GOLDEN === '1';

const cases: {
  name: string;
  env: Record<string, string>;
  files?: { pidFile?: string; leaseFile?: string };
}[] = [
  {
    name: 'proxy',
    env: {
      PUBLIC_BOOT_URL: 'http://192.168.10.5:8080/',
      PXE_INTERFACE: 'eth1',
      PXE_SUBNET: '192.168.10.0',
    },
  },
  {
    name: 'proxy-snponly-explicit-server',
    env: {
      PUBLIC_BOOT_URL: 'http://boot.lab.example:8080',
      PXE_SUBNET: '10.20.0.0',
      PXE_NETMASK: '255.255.0.0',
      PXE_SERVER_ADDRESS: '10.20.0.2',
      PXE_TFTP_ROOT: '/srv/tftp/',
      PXE_UEFI_BINARY: 'snponly.efi',
    },
    files: { pidFile: '/tmp/octofleet/dnsmasq.pid', leaseFile: '/tmp/octofleet/dnsmasq.leases' },
  },
  {
    name: 'full',
    env: {
      PXE_MODE: 'full',
      PUBLIC_BOOT_URL: 'http://10.0.50.1:8080',
      PXE_INTERFACE: 'enp3s0',
      PXE_RANGE_START: '10.0.50.100',
      PXE_RANGE_END: '10.0.50.199',
      PXE_ROUTER: '10.0.50.254',
      PXE_DNS: '10.0.50.53, 9.9.9.9',
    },
  },
  {
    name: 'proxy-secure-boot',
    env: {
      PUBLIC_BOOT_URL: 'http://192.168.10.5:8080/',
      PXE_SUBNET: '192.168.10.0',
      PXE_UEFI_BINARY: 'shimx64.efi',
    },
  },
  {
    name: 'proxy-signed-ipxe',
    env: {
      PUBLIC_BOOT_URL: 'http://192.168.10.5:8080/',
      PXE_SUBNET: '192.168.10.0',
      // ipxe.org's signed shim, placed by the operator (Windows under Secure Boot, docs/windows.md).
      PXE_UEFI_BINARY: 'ipxe-shimx64.efi',
    },
  },
  {
    name: 'full-secure-boot',
    env: {
      PXE_MODE: 'full',
      PUBLIC_BOOT_URL: 'http://10.0.50.1:8080',
      PXE_RANGE_START: '10.0.50.100',
      PXE_RANGE_END: '10.0.50.199',
      PXE_UEFI_BINARY: 'shimx64.efi',
    },
  },
  {
    name: 'full-isolated',
    env: {
      PXE_MODE: 'full',
      PUBLIC_BOOT_URL: 'http://boot.lab:8080',
      PXE_INTERFACE: 'lab0',
      PXE_RANGE_START: '172.16.0.10',
      PXE_RANGE_END: '172.16.0.50',
      PXE_SERVER_ADDRESS: '172.16.0.1',
    },
  },
];

describe('renderDnsmasqConfig', () => {
  it.each(cases)('renders the $name configuration', ({ name, env, files }) => {
    const text = renderDnsmasqConfig(loadConfig(env), files);
    const golden = join(GOLDEN_DIR, `${name}.conf`);
    if (UPDATE) writeFileSync(golden, text);
    expect(existsSync(golden), `${golden} is missing: run with UPDATE_GOLDEN=1`).toBe(true);
    expect(text).toBe(readFileSync(golden, 'utf8'));
  });

  // Recorded in the end-of-run summary when dnsmasq-base is missing; fails the run with CI=true.
  it.skipIf(skipUnlessInstalled(import.meta.filename, ['dnsmasq-base']))(
    'writes files dnsmasq itself accepts',
    () => {
      const dir = mkdtempSync(join(tmpdir(), 'octofleet-dnsmasq-test-'));
      try {
        for (const { name, env, files } of cases) {
          const file = join(dir, `${name}.conf`);
          writeFileSync(file, renderDnsmasqConfig(loadConfig(env), files));
          // dnsmasq names the first line it cannot parse and exits non-zero.
          const result = spawnSync('/usr/sbin/dnsmasq', ['--test', `--conf-file=${file}`], {
            encoding: 'utf8',
          });
          expect(`${result.stdout}${result.stderr}`.trim(), name).toBe('dnsmasq: syntax check OK.');
          expect(result.status, name).toBe(0);
        }
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  );

  it('excludes iPXE from every pxe-service and sends it to the boot script over HTTP', () => {
    const text = renderDnsmasqConfig(loadConfig(cases[0]!.env));
    const services = text.split('\n').filter((line) => line.startsWith('pxe-service='));
    expect(services).toHaveLength(3);
    for (const line of services) expect(line).toMatch(/^pxe-service=tag:!ipxe,/);
    expect(text).toContain('\ndhcp-boot=tag:ipxe,http://192.168.10.5:8080/boot.ipxe,,192.168.10.5\n');
  });

  it.each([
    ['PXE_SUBNET is missing in proxy mode', {}, 'PXE_SUBNET is required when PXE_MODE=proxy'],
    ['PXE_SUBNET is not an address', { PXE_SUBNET: '10.0.0.0/24' }, 'PXE_SUBNET must be an IPv4 address'],
    ['PXE_SUBNET has host bits', { PXE_SUBNET: '10.0.0.1' }, 'PXE_SUBNET must be a network address'],
    [
      'PXE_NETMASK has holes',
      { PXE_SUBNET: '10.0.0.0', PXE_NETMASK: '255.0.255.0' },
      'PXE_NETMASK must be a contiguous',
    ],
    [
      'PXE_NETMASK is not an address',
      { PXE_SUBNET: '10.0.0.0', PXE_NETMASK: '24' },
      'PXE_NETMASK must be an IPv4',
    ],
    [
      'PXE_SERVER_ADDRESS cannot be derived from a host name',
      { PXE_SUBNET: '10.0.0.0', PUBLIC_BOOT_URL: 'http://boot.example:8080' },
      'PXE_SERVER_ADDRESS is required',
    ],
    [
      'PXE_SERVER_ADDRESS cannot be derived from loopback',
      { PXE_SUBNET: '10.0.0.0', PUBLIC_BOOT_URL: 'http://127.0.0.1:8080' },
      'PXE_SERVER_ADDRESS is required',
    ],
    [
      'PXE_SERVER_ADDRESS is a name',
      { PXE_SUBNET: '10.0.0.0', PXE_SERVER_ADDRESS: 'pxe.lan' },
      'PXE_SERVER_ADDRESS must be an IPv4',
    ],
    [
      'PXE_INTERFACE is hostile',
      { PXE_SUBNET: '10.0.0.0', PXE_INTERFACE: 'eth0\nport=53' },
      'PXE_INTERFACE must be',
    ],
    [
      'PXE_TFTP_ROOT is relative',
      { PXE_SUBNET: '10.0.0.0', PXE_TFTP_ROOT: 'var/tftp' },
      'PXE_TFTP_ROOT must be an absolute',
    ],
    [
      'PXE_TFTP_ROOT has a comma',
      { PXE_SUBNET: '10.0.0.0', PXE_TFTP_ROOT: '/srv/tftp,eth0' },
      'PXE_TFTP_ROOT must be',
    ],
    [
      'PUBLIC_BOOT_URL has a comma',
      { PXE_SUBNET: '10.0.0.0', PUBLIC_BOOT_URL: 'http://10.0.0.5/a,b' },
      'PUBLIC_BOOT_URL must not',
    ],
    [
      'PUBLIC_BOOT_URL is too long for the boot file field',
      { PXE_SUBNET: '10.0.0.0', PUBLIC_BOOT_URL: `http://10.0.0.5/${'x'.repeat(120)}` },
      'PUBLIC_BOOT_URL is too long',
    ],
    [
      'PXE_RANGE_START is missing in full mode',
      { PXE_MODE: 'full', PXE_RANGE_END: '10.0.0.9' },
      'PXE_RANGE_START is required when PXE_MODE=full',
    ],
    [
      'PXE_RANGE_END is missing in full mode',
      { PXE_MODE: 'full', PXE_RANGE_START: '10.0.0.9' },
      'PXE_RANGE_END is required when PXE_MODE=full',
    ],
    [
      'the range runs backwards',
      { PXE_MODE: 'full', PXE_RANGE_START: '10.0.0.90', PXE_RANGE_END: '10.0.0.10' },
      'PXE_RANGE_END must not come before PXE_RANGE_START',
    ],
    [
      'the range spans subnets',
      { PXE_MODE: 'full', PXE_RANGE_START: '10.0.0.10', PXE_RANGE_END: '10.0.1.10' },
      'PXE_RANGE_END must be in the same subnet',
    ],
    [
      'PXE_ROUTER is not an address',
      { PXE_MODE: 'full', PXE_RANGE_START: '10.0.0.10', PXE_RANGE_END: '10.0.0.20', PXE_ROUTER: 'gw' },
      'PXE_ROUTER must be an IPv4',
    ],
    [
      'PXE_DNS holds a name',
      {
        PXE_MODE: 'full',
        PXE_RANGE_START: '10.0.0.10',
        PXE_RANGE_END: '10.0.0.20',
        PXE_DNS: '10.0.0.1,dns.lan',
      },
      'PXE_DNS must be an IPv4',
    ],
  ])('fails with one line naming the variable when %s', (_name, env, message) => {
    const config = loadConfig({ PUBLIC_BOOT_URL: 'http://10.0.0.5:8080', ...env });
    const render = () => renderDnsmasqConfig(config);
    expect(render).toThrow(`Invalid configuration: ${message}`);
    expect(() => render()).toThrow(/^[^\n]+$/);
  });

  it('rejects pid and lease file paths that would break the file', () => {
    const config = loadConfig({ PUBLIC_BOOT_URL: 'http://10.0.0.5:8080', PXE_SUBNET: '10.0.0.0' });
    expect(() => renderDnsmasqConfig(config, { pidFile: '/run/x.pid\nport=53' })).toThrow('pidFile must not');
    expect(() => renderDnsmasqConfig(config, { leaseFile: '/a,b' })).toThrow('leaseFile must not');
  });
});

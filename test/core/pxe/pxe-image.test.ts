import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { loadConfig } from '../../../core/config/index.js';
import { IPXE_BINARIES, renderDnsmasqConfig } from '../../../core/pxe/index.js';

// The `pxe` image, its compose service and the generated file must name the same paths.
const dockerfile = readFileSync('pxe/Dockerfile', 'utf8');
const compose = parse(readFileSync('docker-compose.yml', 'utf8'), { merge: true });
const rendered = renderDnsmasqConfig(
  loadConfig({ PUBLIC_BOOT_URL: 'http://10.0.0.5:8080', PXE_SUBNET: '10.0.0.0' }),
);
const confValue = (key: string) => rendered.match(new RegExp(`^${key}=(.*)$`, 'm'))?.[1];

describe('the pxe image', () => {
  it('holds every iPXE binary in the TFTP root the generated file names by default', () => {
    const tftpRoot = confValue('tftp-root');
    expect(tftpRoot).toBe('/var/lib/octofleet/tftp');
    expect(dockerfile).toContain(`install -d -m 0755 ${tftpRoot} `);
    for (const name of IPXE_BINARIES) expect(dockerfile).toContain(`/usr/lib/ipxe/${name}`);
  });

  it('has the folder of the default lease file', () => {
    const leaseDir = confValue('dhcp-leasefile')!.replace(/\/[^/]+$/, '');
    expect(dockerfile).toMatch(new RegExp(`install -d .* ${leaseDir}\\b`));
  });

  it('runs dnsmasq in the foreground on the file compose mounts from npm run pxe:config', () => {
    const service = compose.services.pxe;
    const [source, target] = (service.volumes as string[])[0]!.split(':');
    expect(source).toBe('./var/pxe/dnsmasq.conf');
    expect(readFileSync('cli/pxe-config.ts', 'utf8')).toContain("default: 'var/pxe/dnsmasq.conf'");
    const entrypoint = JSON.parse(dockerfile.match(/^ENTRYPOINT (.*)$/m)![1]!);
    expect(entrypoint).toEqual([
      'dnsmasq',
      '--keep-in-foreground',
      '--log-facility=-',
      `--conf-file=${target}`,
    ]);
    expect(service.network_mode).toBe('host');
    expect(service.build.context).toBe('./pxe');
  });
});

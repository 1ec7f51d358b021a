// `npm run pxe:config [-- --out FILE] [--tftp] [--ipxe-dir DIR] [--pid-file FILE] [--lease-file FILE]`:
// writes the dnsmasq configuration of the PXE network service from the same configuration as the app
// (.env and the environment), and with --tftp fills PXE_TFTP_ROOT with the iPXE binaries. See docs/pxe.md.
import 'dotenv/config';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig } from '../core/config/index.js';
import { DEBIAN_IPXE_DIR, IPXE_BINARIES, installIpxeBinaries } from '../core/pxe/install-ipxe-binaries.js';
import { renderDnsmasqConfig } from '../core/pxe/render-dnsmasq-config.js';
import { installSecureBootChain } from '../core/pxe/secure-boot-chain.js';
import { createProgress } from '../core/terminal/progress.js';

const USAGE = `Usage: npm run pxe:config -- [options]
  --out FILE         where to write the dnsmasq configuration ("-" for stdout) [var/pxe/dnsmasq.conf]
  --tftp             also copy undionly.kpxe, ipxe.efi and snponly.efi into PXE_TFTP_ROOT; with
                     PXE_UEFI_BINARY=shimx64.efi also shimx64.efi, grubx64.efi (PXE_GRUB_EFI) and
                     grub/grub.cfg (UEFI Secure Boot, docs/pxe.md)
  --ipxe-dir DIR     where the iPXE binaries come from [${DEBIAN_IPXE_DIR}]
  --pid-file FILE    dnsmasq's pid file [/run/octofleet-dnsmasq.pid]
  --lease-file FILE  dnsmasq's lease file [/var/lib/misc/octofleet-dnsmasq.leases]
Settings come from PXE_* and PUBLIC_BOOT_URL (environment or .env); see docs/pxe.md.`;

async function main(): Promise<number> {
  let args: ReturnType<typeof parse>;
  try {
    args = parse();
  } catch (error) {
    console.error(`pxe:config: ${(error as Error).message}\n${USAGE}`);
    return 2;
  }
  if (args.help) {
    console.log(USAGE);
    return 0;
  }
  const config = loadConfig();
  if (!process.env.PUBLIC_BOOT_URL) {
    console.error(
      `pxe:config: PUBLIC_BOOT_URL is not set; using ${config.publicBootUrl} (this host's first address)`,
    );
  }
  const text = renderDnsmasqConfig(config, { pidFile: args['pid-file'], leaseFile: args['lease-file'] });
  if (args.tftp) {
    const progress = createProgress({
      label: 'pxe:config: copying iPXE binaries',
      total: IPXE_BINARIES.length,
    });
    const written = await installIpxeBinaries(config.PXE_TFTP_ROOT, args['ipxe-dir'], (done, _total, name) =>
      progress.update(done, name),
    );
    progress.finish();
    console.error(`pxe:config: copied ${written.join(', ')}`);
    if (config.PXE_UEFI_BINARY === 'shimx64.efi') {
      const chain = await installSecureBootChain(config.PXE_TFTP_ROOT, {
        publicBootUrl: config.publicBootUrl,
        grub: config.PXE_GRUB_EFI,
      });
      console.error(`pxe:config: placed the Secure Boot chain ${chain.join(', ')}`);
    }
  }
  if (args.out === '-') {
    process.stdout.write(text);
  } else {
    await mkdir(dirname(args.out), { recursive: true });
    await writeFile(args.out, text);
    console.error(`pxe:config: wrote ${args.out} (${config.PXE_MODE} mode)`);
  }
  return 0;
}

function parse() {
  return parseArgs({
    options: {
      out: { type: 'string', default: 'var/pxe/dnsmasq.conf' },
      tftp: { type: 'boolean', default: false },
      'ipxe-dir': { type: 'string', default: DEBIAN_IPXE_DIR },
      'pid-file': { type: 'string' },
      'lease-file': { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
    allowPositionals: false,
  }).values;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: Error) => {
    // One line for the operator: configuration errors name the variable, file errors the path.
    console.error(`pxe:config: ${error.message}`);
    process.exitCode = 1;
  },
);

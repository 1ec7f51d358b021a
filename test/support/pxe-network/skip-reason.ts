import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { recordSkip, skipUnlessInstalled } from '../tools/suite-needs.js';

// ip, dnsmasq, QEMU, iPXE's ROMs for TFTP and the NIC, and OVMF for the UEFI clients.
const PACKAGES = ['iproute2', 'dnsmasq-base', 'qemu-system-x86', 'ipxe', 'ipxe-qemu', 'ovmf'];

/**
 * For `describe.skipIf(…)`: why the namespace PXE test `suite` (its `import.meta.filename`) cannot run
 * here (not Linux, not root, a package or the tun driver missing), or undefined when it can. The skip is
 * recorded for the end-of-run summary; with CI=true it throws instead: CI runs as root with the packages
 * of .ci/install-packages.sh, so a skip there would hide a broken set-up.
 */
export function pxeNetworkSkipReason(suite: string): string | undefined {
  if (process.platform !== 'linux')
    return recordSkip(
      suite,
      `needs Linux network namespaces (this is ${process.platform})`,
      'a Linux machine',
    );
  const missing = skipUnlessInstalled(suite, PACKAGES);
  if (missing) return missing;
  if (process.getuid?.() !== 0)
    return recordSkip(suite, 'needs root for ip netns, bridges and tap devices', 'sudo npm test');
  if (!existsSync('/dev/net/tun'))
    return recordSkip(
      suite,
      '/dev/net/tun is missing',
      'modprobe tun (or run the container with --device /dev/net/tun)',
    );
  return undefined;
}

/** The absolute path of `tool` on PATH or in /usr/sbin and /sbin (root's tools), or undefined. */
export function findTool(tool: string): string | undefined {
  const dirs = (process.env.PATH ?? '').split(':').concat('/usr/sbin', '/sbin', '/usr/bin');
  return dirs.map((dir) => join(dir || '.', tool)).find((candidate) => existsSync(candidate));
}

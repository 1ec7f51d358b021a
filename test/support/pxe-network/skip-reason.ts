import { existsSync } from 'node:fs';
import { join } from 'node:path';

const NEEDED: [string, string][] = [
  ['ip', 'iproute2'],
  ['dnsmasq', 'dnsmasq-base'],
  ['qemu-system-x86_64', 'qemu-system-x86'],
];
const FILES: [string, string][] = [
  ['/usr/lib/ipxe/undionly.kpxe', 'ipxe'],
  ['/usr/lib/ipxe/ipxe.efi', 'ipxe'],
  ['/usr/lib/ipxe/qemu/efi-e1000.rom', 'ipxe-qemu'],
  ['/usr/share/ovmf/OVMF.fd', 'ovmf'],
  ['/dev/net/tun', 'the tun driver'],
];

/**
 * For `describe.skipIf(…)`: why the namespace PXE test cannot run here (not Linux, not root, a tool
 * missing), or undefined when it can. Throws instead when `CI` is set: CI runs as root with the
 * packages of .ci/install-packages.sh, so a skip there would hide a broken set-up.
 */
export function pxeNetworkSkipReason(): string | undefined {
  const reason = findReason();
  if (reason && process.env.CI) throw new Error(`the PXE network test must run in CI: ${reason}`);
  return reason;
}

/** The absolute path of `tool` on PATH or in /usr/sbin and /sbin (root's tools), or undefined. */
export function findTool(tool: string): string | undefined {
  const dirs = (process.env.PATH ?? '').split(':').concat('/usr/sbin', '/sbin', '/usr/bin');
  return dirs.map((dir) => join(dir || '.', tool)).find((candidate) => existsSync(candidate));
}

function findReason(): string | undefined {
  if (process.platform !== 'linux') return `needs Linux network namespaces (this is ${process.platform})`;
  if (process.getuid?.() !== 0) return 'needs root for ip netns, bridges and tap devices';
  const missing = [
    ...NEEDED.filter(([tool]) => !findTool(tool)),
    ...FILES.filter(([file]) => !existsSync(file)),
  ].map(([what, pkg]) => `${what} (${pkg})`);
  if (missing.length) return `missing ${missing.join(', ')}; run .ci/install-packages.sh`;
  return undefined;
}

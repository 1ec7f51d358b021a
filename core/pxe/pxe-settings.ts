import { isIPv4 } from 'node:net';
import { posix } from 'node:path';
import { type Config, ConfigError } from '../config/index.js';

/** The part of the configuration the PXE network service is generated from. */
export type PxeConfigInput = Pick<
  Config,
  | 'PXE_MODE'
  | 'PXE_INTERFACE'
  | 'PXE_SUBNET'
  | 'PXE_NETMASK'
  | 'PXE_RANGE_START'
  | 'PXE_RANGE_END'
  | 'PXE_ROUTER'
  | 'PXE_DNS'
  | 'PXE_SERVER_ADDRESS'
  | 'PXE_TFTP_ROOT'
  | 'PXE_UEFI_BINARY'
  | 'publicBootUrl'
>;

/** Validated, normalised PXE settings: everything {@link renderDnsmasqConfig} writes. */
export interface PxeSettings {
  mode: 'proxy' | 'full';
  interface?: string;
  netmask: string;
  /** Proxy mode: the network address the site's DHCP server hands out addresses in. */
  subnet?: string;
  /** Full mode: the addresses to lease, router and DNS servers to announce. */
  range?: { start: string; end: string };
  router?: string;
  dns: string[];
  /** Next-server in answers to iPXE: the address of the PXE host on the boot network. */
  serverAddress: string;
  tftpRoot: string;
  /** What x86-64 UEFI firmware loads; `shimx64.efi` is the Secure Boot chain (shim → signed GRUB). */
  uefiBinary: string;
  /** `PUBLIC_BOOT_URL/boot.ipxe`: the file name iPXE clients are given. */
  bootScriptUrl: string;
}

/** The BIOS chainloader served over TFTP to plain PXE clients (Debian package `ipxe`). */
export const BIOS_BINARY = 'undionly.kpxe';

/** The BOOTP `file` field holds 128 bytes including the terminating NUL (RFC 951). */
const MAX_BOOT_FILE = 127;
const INTERFACE_NAME = /^[A-Za-z0-9_.:@-]{1,15}$/;

/**
 * Checks the PXE variables for the chosen mode and derives the rest. Throws {@link ConfigError} with
 * one line naming the variable, so `npm run pxe:config` fails the same way start-up does.
 */
export function resolvePxeSettings(config: PxeConfigInput): PxeSettings {
  const fail = (name: string, why: string): never => {
    throw new ConfigError(`Invalid configuration: ${name} ${why}`);
  };
  const ipv4 = (name: string, value: string | undefined, required: string | false) => {
    if (value === undefined) return required ? fail(name, `is required ${required}`) : undefined;
    if (!isIPv4(value)) fail(name, `must be an IPv4 address (got ${JSON.stringify(value)})`);
    return value;
  };

  if (config.PXE_INTERFACE !== undefined && !INTERFACE_NAME.test(config.PXE_INTERFACE)) {
    fail('PXE_INTERFACE', 'must be a network interface name (letters, digits, . _ - : @; at most 15)');
  }
  const netmask = ipv4('PXE_NETMASK', config.PXE_NETMASK, 'always')!;
  const maskBits = toNumber(netmask);
  if (maskBits === 0 || ((~maskBits >>> 0) & ((~maskBits >>> 0) + 1)) !== 0) {
    fail('PXE_NETMASK', `must be a contiguous netmask like 255.255.255.0 (got ${netmask})`);
  }

  const bootScriptUrl = `${config.publicBootUrl}/boot.ipxe`;
  // dnsmasq splits option values at commas, and the URL travels in the BOOTP file field.
  if (/[\s,"'#\\]/.test(bootScriptUrl)) {
    fail('PUBLIC_BOOT_URL', 'must not contain spaces, commas, quotes, # or backslashes');
  }
  if (Buffer.byteLength(bootScriptUrl) > MAX_BOOT_FILE) {
    fail('PUBLIC_BOOT_URL', `is too long: ${bootScriptUrl} must fit the 127-byte DHCP boot file field`);
  }

  const tftpRoot = config.PXE_TFTP_ROOT;
  if (!posix.isAbsolute(tftpRoot) || /[\s,"'#\\]/.test(tftpRoot)) {
    fail('PXE_TFTP_ROOT', 'must be an absolute path without spaces, commas, quotes, # or backslashes');
  }

  let serverAddress = ipv4('PXE_SERVER_ADDRESS', config.PXE_SERVER_ADDRESS, false);
  if (serverAddress === undefined) {
    // Boot server and dnsmasq usually share a host; its address is then the one to name.
    const host = new URL(config.publicBootUrl).hostname;
    if (!isIPv4(host) || host.startsWith('127.')) {
      fail(
        'PXE_SERVER_ADDRESS',
        'is required (this host’s IPv4 address on the PXE network) unless PUBLIC_BOOT_URL names an IPv4 address',
      );
    }
    serverAddress = host;
  }

  const common = {
    interface: config.PXE_INTERFACE,
    netmask,
    serverAddress: serverAddress!,
    tftpRoot: posix.normalize(tftpRoot).replace(/(.)\/$/, '$1'),
    uefiBinary: config.PXE_UEFI_BINARY,
    bootScriptUrl,
  };

  if (config.PXE_MODE === 'proxy') {
    const subnet = ipv4('PXE_SUBNET', config.PXE_SUBNET, 'when PXE_MODE=proxy (e.g. 192.168.1.0)')!;
    if ((toNumber(subnet) & maskBits) >>> 0 !== toNumber(subnet)) {
      fail('PXE_SUBNET', `must be a network address for PXE_NETMASK ${netmask} (got ${subnet})`);
    }
    return { mode: 'proxy', subnet, dns: [], ...common };
  }

  const start = ipv4('PXE_RANGE_START', config.PXE_RANGE_START, 'when PXE_MODE=full')!;
  const end = ipv4('PXE_RANGE_END', config.PXE_RANGE_END, 'when PXE_MODE=full')!;
  if (toNumber(start) > toNumber(end)) fail('PXE_RANGE_END', `must not come before PXE_RANGE_START`);
  if (((toNumber(start) ^ toNumber(end)) & maskBits) >>> 0 !== 0) {
    fail('PXE_RANGE_END', `must be in the same subnet as PXE_RANGE_START for PXE_NETMASK ${netmask}`);
  }
  const router = ipv4('PXE_ROUTER', config.PXE_ROUTER, false);
  const dns = (config.PXE_DNS ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  for (const server of dns) ipv4('PXE_DNS', server, false);
  return { mode: 'full', range: { start, end }, router, dns, ...common };
}

function toNumber(address: string) {
  return address.split('.').reduce((n, octet) => n * 256 + Number(octet), 0) >>> 0;
}

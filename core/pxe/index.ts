export { DEBIAN_IPXE_DIR, IPXE_BINARIES, installIpxeBinaries } from './install-ipxe-binaries.js';
export { BIOS_BINARY, type PxeConfigInput, type PxeSettings, resolvePxeSettings } from './pxe-settings.js';
export {
  DEFAULT_LEASE_FILE,
  DEFAULT_PID_FILE,
  type DnsmasqFileOptions,
  renderDnsmasqConfig,
} from './render-dnsmasq-config.js';

/** One DHCP exchange as dnsmasq's `log-dhcp` reports it (lines sharing a transaction id). */
export interface DhcpExchange {
  xid: string;
  /** From `PXE(eth0) <mac> proxy` or `DHCPACK(eth0) <ip> <mac>`. */
  mac?: string;
  /** 4011 when dnsmasq answered a boot server request (`PXE(eth0) <ip> <mac> <file>`), else 67. */
  port: 67 | 4011;
  vendorClass?: string;
  userClass?: string;
  tags: string[];
  /** Every boot file dnsmasq sent: the BOOTP field (`bootfile name:`) or option 67 (full mode). */
  bootFiles: string[];
  nextServer?: string;
  lines: string[];
}

const LINE = /^dnsmasq-dhcp\[\d+\]: (\d+) (.*)$/;
const MAC = /([0-9a-f]{2}(?::[0-9a-f]{2}){5})/;

/**
 * Groups dnsmasq's `log-dhcp` output by transaction id, in order of first appearance. A client reuses
 * its xid for DISCOVER/REQUEST and for the port-4011 request, so one exchange may span several packets.
 */
export function parseDhcpLog(log: string): DhcpExchange[] {
  const exchanges = new Map<string, DhcpExchange>();
  for (const raw of log.split('\n')) {
    const match = raw.trim().match(LINE);
    if (!match) continue;
    const [, xid, text] = match as unknown as [string, string, string];
    let exchange = exchanges.get(xid);
    if (!exchange) {
      exchange = { xid, port: 67, tags: [], bootFiles: [], lines: [] };
      exchanges.set(xid, exchange);
    }
    exchange.lines.push(text);
    const value = (prefix: string) =>
      text.startsWith(prefix) ? text.slice(prefix.length).trim() : undefined;
    exchange.vendorClass ??= value('vendor class:');
    exchange.userClass ??= value('user class:');
    exchange.nextServer ??= value('next server:');
    const tags = value('tags:');
    if (tags) exchange.tags = tags.split(',').map((tag) => tag.trim());
    const bootFile =
      value('bootfile name:') ?? text.match(/^sent size: +\d+ option: 67 bootfile-name +(\S+)/)?.[1];
    if (bootFile) exchange.bootFiles.push(bootFile);
    if (/^PXE\(\S+\) \d+\.\d+\.\d+\.\d+ /.test(text)) exchange.port = 4011;
    if (/^(PXE|DHCPACK|DHCPDISCOVER|DHCPOFFER|DHCPREQUEST)\(/.test(text))
      exchange.mac ??= text.match(MAC)?.[1];
  }
  return [...exchanges.values()];
}

/** `sent <file> to <address>` lines of dnsmasq's TFTP server: the files it transferred. */
export function tftpTransfers(log: string): { file: string; to: string }[] {
  return [...log.matchAll(/dnsmasq-tftp\[\d+\]: sent (\S+) to (\S+)/g)].map((m) => ({
    file: m[1]!,
    to: m[2]!,
  }));
}

import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startDnsmasq } from './dnsmasq.js';
import { LAB_IPV6, type PxeLab } from './lab.js';

/**
 * Starts the stand-in for the site's own DHCP server in the lab's `site` namespace: plain dnsmasq in
 * normal mode, leasing 10.99.0.100–199 with no boot options at all (and no router or DNS, so the VM
 * has nowhere to send traffic but the lab). It also advertises an IPv6 prefix, as a router on a real
 * network would: without one, iPXE waits ~16 s for IPv6 before it fetches anything. With
 * `leases: false` it is only that router (for a lab where our dnsmasq runs in full mode).
 */
export async function startSiteDhcp(lab: PxeLab, { leases = true } = {}) {
  const conf = join(lab.dir, 'site-dnsmasq.conf');
  await writeFile(
    conf,
    [
      'port=0',
      `interface=${lab.innerInterface}`,
      'bind-interfaces',
      ...(leases
        ? [
            'dhcp-range=10.99.0.100,10.99.0.199,255.255.255.0,1h',
            'dhcp-option=option:router',
            'dhcp-option=option:dns-server',
          ]
        : []),
      'enable-ra',
      `dhcp-range=${LAB_IPV6.prefix},ra-only,64`,
      'log-dhcp',
      `pid-file=${join(lab.dir, 'site-dnsmasq.pid')}`,
      `dhcp-leasefile=${join(lab.dir, 'site-dnsmasq.leases')}`,
      '',
    ].join('\n'),
  );
  return startDnsmasq(lab, lab.ns.site, conf, leases ? /DHCP, sockets bound exclusively/ : /RTR-ADVERT/);
}

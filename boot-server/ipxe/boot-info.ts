import type { BootInfo } from '../../core/deployments/deployment.entity.js';

/** Keeps only what iPXE reported that is plausible; everything else is dropped, never stored. */
export function parseBootInfo(query: Record<string, string | string[] | undefined>): BootInfo {
  const first = (key: string) => {
    const v = query[key];
    return (Array.isArray(v) ? v[0] : v)?.trim();
  };
  const info: BootInfo = {};
  const word = (key: 'platform' | 'arch') => {
    const v = first(key);
    if (v && /^[a-z0-9_-]{1,16}$/i.test(v)) info[key] = v.toLowerCase();
  };
  word('platform');
  word('arch');
  const uuid = first('uuid');
  if (uuid && /^[0-9a-f-]{1,36}$/i.test(uuid)) info.uuid = uuid.toLowerCase();
  for (const key of ['serial', 'manufacturer', 'product'] as const) {
    // SMBIOS strings are free text: keep printable ASCII, collapse whitespace, bound the length.
    const v = first(key)
      ?.replace(/[^\x20-\x7e]/g, '')
      .replace(/\s+/g, ' ')
      .trim()
      .slice(0, 64);
    if (v) info[key] = v;
  }
  // ${netX/busid}: bus type, PCI vendor and device of the booting NIC as five hex bytes ("01:1a:f4:10:00").
  const busid = first('busid')?.toLowerCase();
  const pci = busid && /^01:([0-9a-f]{2}):([0-9a-f]{2}):([0-9a-f]{2}):([0-9a-f]{2})$/.exec(busid);
  if (pci) info.pciVendors = [`${pci[1]}${pci[2]}`];
  return info;
}

import { describe, expect, it } from 'vitest';
import { parseBootInfo } from '../../../boot-server/ipxe/boot-info.js';
import { BUILTIN_PROFILES } from '../../../core/profiles/builtin-profiles.js';
import { chooseProfile } from '../../../core/profiles/profile-rules.js';

describe('what iPXE reports about the booting NIC', () => {
  it('keeps the PCI vendor of ${netX/busid} (bus type 01 = PCI)', () => {
    expect(parseBootInfo({ busid: '01:1a:f4:10:00' }).pciVendors?.[0]).toBe('1af4');
    expect(parseBootInfo({ busid: '01:80:86:10:0E' }).pciVendors?.[0]).toBe('8086');
  });

  it('drops anything that is not a PCI bus id', () => {
    for (const busid of ['', '02:1a:f4:10:00', '01:1a:f4', '01:1a:f4:10:00:00', 'x'.repeat(200)])
      expect(parseBootInfo({ busid }).pciVendors).toBeUndefined();
  });

  it('makes a VirtIO NIC mean kvm under auto, whatever SMBIOS says, and never overrides a chosen profile', () => {
    const pick = (requested: string, manufacturer: string, product: string, busid: string) =>
      chooseProfile(requested, BUILTIN_PROFILES, { manufacturer, product, ...parseBootInfo({ busid }) })
        .profile.name;
    expect(pick('auto', 'Acme Cloud', 'Custom', '01:1a:f4:10:00')).toBe('kvm');
    expect(pick('auto', 'Dell Inc.', 'PowerEdge R650', '01:80:86:10:0E')).toBe('baremetal');
    expect(pick('baremetal', 'QEMU', 'Standard PC', '01:1a:f4:10:00')).toBe('baremetal');
  });
});

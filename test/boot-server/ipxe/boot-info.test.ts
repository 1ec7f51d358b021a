import { describe, expect, it } from 'vitest';
import { parseBootInfo } from '../../../boot-server/ipxe/boot-info.js';
import { resolveProfile } from '../../../core/images/profiles.js';

describe('what iPXE reports about the booting NIC', () => {
  it('keeps the PCI vendor of ${netX/busid} (bus type 01 = PCI)', () => {
    expect(parseBootInfo({ busid: '01:1a:f4:10:00' }).pciVendor).toBe('1af4');
    expect(parseBootInfo({ busid: '01:80:86:10:0E' }).pciVendor).toBe('8086');
  });

  it('drops anything that is not a PCI bus id', () => {
    for (const busid of ['', '02:1a:f4:10:00', '01:1a:f4', '01:1a:f4:10:00:00', 'x'.repeat(200)])
      expect(parseBootInfo({ busid }).pciVendor).toBeUndefined();
  });

  it('makes a VirtIO NIC mean kvm under auto, whatever SMBIOS says, and never overrides a chosen profile', () => {
    expect(resolveProfile('auto', 'OpenStack Foundation', 'OpenStack Nova', '1af4')).toBe('kvm');
    expect(resolveProfile('auto', 'Nutanix', 'AHV', '1af4')).toBe('kvm');
    expect(resolveProfile('auto', 'Dell Inc.', 'PowerEdge R650', '8086')).toBe('baremetal');
    expect(resolveProfile('baremetal', 'QEMU', 'Standard PC', '1af4')).toBe('baremetal');
  });
});

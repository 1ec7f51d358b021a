import { describe, expect, it } from 'vitest';
import { BUILTIN_PROFILES } from '../../../core/profiles/builtin-profiles.js';
import { chooseProfile } from '../../../core/profiles/profile-rules.js';

describe('auto picks a profile from what iPXE reports (built-in rules)', () => {
  it.each([
    ['Hyper-V Gen2', 'Microsoft Corporation', 'Virtual Machine', 'hyperv-gen2'],
    ['KVM (QEMU q35)', 'QEMU', 'Standard PC (Q35 + ICH9, 2009)', 'kvm'],
    ['Proxmox VE', 'QEMU', 'Standard PC (i440FX + PIIX, 1996)', 'kvm'],
    ['VMware ESXi', 'VMware, Inc.', 'VMware7,1', 'vmware'],
    ['VMware (older hardware)', 'VMware, Inc.', 'VMware Virtual Platform', 'vmware'],
    ['Nutanix AHV', 'Nutanix', 'AHV', 'kvm'],
    ['OpenStack Nova', 'OpenStack Foundation', 'OpenStack Nova', 'kvm'],
    ['a Dell server', 'Dell Inc.', 'PowerEdge R650', 'baremetal'],
    ['a Surface (Microsoft, not a VM)', 'Microsoft Corporation', 'Surface Pro 9', 'baremetal'],
  ])('%s (%s / %s) → %s', (_, manufacturer, product, expected) => {
    expect(chooseProfile('auto', BUILTIN_PROFILES, { manufacturer, product }).profile.name).toBe(expected);
  });

  it('says which rule matched, or that none did', () => {
    expect(chooseProfile('auto', BUILTIN_PROFILES, { manufacturer: 'OpenStack Foundation' }).reason).toBe(
      'auto: rule 8 of kvm (manufacturer "OpenStack")',
    );
    expect(chooseProfile('auto', BUILTIN_PROFILES, { manufacturer: 'Dell Inc.' }).reason).toBe(
      'auto: no rule matched',
    );
    expect(chooseProfile('auto', BUILTIN_PROFILES, {}).profile.name).toBe('baremetal');
  });

  it('matches a PCI vendor id the machine reported (VirtIO on an unknown board)', () => {
    const choice = chooseProfile('auto', BUILTIN_PROFILES, {
      manufacturer: 'Supermicro',
      pciVendors: ['8086', '1af4'],
    });
    expect(choice.profile.name).toBe('kvm');
    expect(choice.reason).toBe('auto: rule 10 of kvm (pciVendor "1af4")');
  });

  it('walks profiles by priority: an operator profile ahead of the built-ins wins', () => {
    const nutanix = {
      name: 'nutanix',
      priority: 5,
      match: [{ manufacturer: 'Nutanix', product: 'AHV' }],
      windowsDrivers: 'nutanix',
      kernelArgs: '',
      serialConsole: null,
    };
    const profiles = [...BUILTIN_PROFILES, nutanix];
    expect(chooseProfile('auto', profiles, { manufacturer: 'Nutanix', product: 'AHV' }).profile.name).toBe(
      'nutanix',
    );
    // Both fields of the rule must match.
    expect(chooseProfile('auto', profiles, { manufacturer: 'Nutanix', product: 'Other' }).profile.name).toBe(
      'kvm',
    );
  });

  it('a requested profile is used as it is', () => {
    expect(chooseProfile('hyperv-gen2', BUILTIN_PROFILES, { manufacturer: 'QEMU' })).toMatchObject({
      profile: { name: 'hyperv-gen2' },
      reason: 'requested',
    });
  });
});

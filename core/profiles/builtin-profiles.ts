import type { HardwareProfile } from './hardware-profile.entity.js';

/** A profile as data, without the bookkeeping columns. */
export type ProfileData = Pick<
  HardwareProfile,
  'name' | 'priority' | 'match' | 'windowsDrivers' | 'kernelArgs' | 'serialConsole'
>;

/** The profile `auto` falls back to when no rule matches. */
export const FALLBACK_PROFILE = 'baremetal';

/**
 * The profiles seeded at start (refreshed while nobody edited them). SMBIOS strings as the platforms
 * report them: Hyper-V `Microsoft Corporation` / `Virtual Machine`; QEMU/KVM and Proxmox `QEMU`, older
 * RHEL `Red Hat`, SeaBIOS `Bochs`; Nutanix AHV `Nutanix` / `AHV`; OpenStack Nova `OpenStack Foundation` /
 * `OpenStack Nova` (all VirtIO: the `kvm` drivers); VMware `VMware, Inc.` (its default virtual hardware,
 * LSI SAS and E1000e, has inbox drivers); anything else is bare metal (per-model driver packs).
 */
export const BUILTIN_PROFILES: readonly ProfileData[] = [
  {
    name: 'hyperv-gen2',
    priority: 10,
    match: [{ manufacturer: 'Microsoft Corporation', product: 'Virtual Machine' }],
    windowsDrivers: null,
    kernelArgs: '',
    serialConsole: null,
  },
  {
    name: 'vmware',
    priority: 20,
    match: [{ manufacturer: 'VMware' }, { product: 'VMware' }],
    windowsDrivers: null,
    kernelArgs: '',
    serialConsole: null,
  },
  {
    name: 'kvm',
    priority: 30,
    match: [
      { manufacturer: 'QEMU' },
      { product: 'QEMU' },
      { manufacturer: 'Red Hat' },
      { manufacturer: 'Bochs' },
      { product: 'Bochs' },
      { product: 'KVM' },
      { manufacturer: 'Nutanix' },
      { manufacturer: 'OpenStack' },
      { product: 'OpenStack Nova' },
      { pciVendor: '1af4' },
    ],
    windowsDrivers: 'kvm',
    kernelArgs: '',
    serialConsole: null,
  },
  {
    name: FALLBACK_PROFILE,
    priority: 1000,
    match: [],
    windowsDrivers: 'baremetal',
    kernelArgs: '',
    serialConsole: null,
  },
];

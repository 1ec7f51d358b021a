/** Hardware profiles: which drivers and firmware assumptions a deployment uses. */
export const PROFILES = ['auto', 'hyperv-gen2', 'kvm', 'baremetal'] as const;
export type Profile = (typeof PROFILES)[number];
export type ResolvedProfile = Exclude<Profile, 'auto'>;

/**
 * What `auto` means for a machine, from the SMBIOS manufacturer/product iPXE reported:
 * Hyper-V reports `Microsoft Corporation` / `Virtual Machine`; QEMU/KVM reports `QEMU`, `Red Hat` or `Bochs`.
 * A booting NIC with PCI vendor 1af4 (VirtIO) means VirtIO hardware whatever SMBIOS says (OpenStack
 * Nova's `OpenStack Foundation`, Nutanix AHV, Proxmox with custom SMBIOS strings).
 */
export function resolveProfile(
  requested: Profile,
  manufacturer?: string | null,
  product?: string | null,
  pciVendor?: string | null,
): ResolvedProfile {
  if (requested !== 'auto') return requested;
  if (pciVendor === '1af4') return 'kvm';
  const m = (manufacturer ?? '').toLowerCase();
  const p = (product ?? '').toLowerCase();
  if (m.includes('microsoft') && p.includes('virtual machine')) return 'hyperv-gen2';
  if (/qemu|red hat|bochs/.test(m) || /qemu|kvm|bochs/.test(p)) return 'kvm';
  return 'baremetal';
}

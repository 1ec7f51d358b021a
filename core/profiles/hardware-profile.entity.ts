import { EntitySchema } from '@mikro-orm/core';

/**
 * One condition of a profile's match list. Every field given must match (case-insensitive, the SMBIOS
 * string contains the value; a PCI vendor id equals one of the machine's); a profile matches when any
 * of its rules does.
 */
export interface ProfileRule {
  manufacturer?: string;
  product?: string;
  /** PCI vendor id, 4 hex digits (`1af4` is VirtIO). */
  pciVendor?: string;
}

/** A hardware profile: how `auto` recognises a machine and what its installs need. */
export class HardwareProfile {
  name!: string;
  /** Lower first when `auto` walks the profiles. */
  priority!: number;
  match!: ProfileRule[];
  /** Windows driver folder under `files/windows/<image>/drivers/` (`kvm`, `baremetal`), or null for inbox drivers. */
  windowsDrivers!: string | null;
  /** Appended to Linux kernel command lines. */
  kernelArgs!: string;
  /** Serial console device (`ttyS1`) Linux installers also print to, or null. */
  serialConsole!: string | null;
  /** `builtin` rows are refreshed at start; `operator` rows belong to the operator. */
  source!: 'builtin' | 'operator';
  createdAt!: Date;
  updatedAt!: Date;
}

export const HardwareProfileSchema = new EntitySchema<HardwareProfile>({
  class: HardwareProfile,
  tableName: 'hardware_profile',
  properties: {
    name: { type: 'string', length: 32, primary: true },
    priority: { type: 'number', default: 100 },
    match: { type: 'json' },
    windowsDrivers: { type: 'string', length: 32, nullable: true },
    kernelArgs: { type: 'string', length: 512, default: '' },
    serialConsole: { type: 'string', length: 32, nullable: true },
    source: { type: 'string', length: 16, default: 'operator' },
    createdAt: { type: 'Date', columnType: 'timestamptz', onCreate: () => new Date() },
    updatedAt: {
      type: 'Date',
      columnType: 'timestamptz',
      onCreate: () => new Date(),
      onUpdate: () => new Date(),
    },
  },
});

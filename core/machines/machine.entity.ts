import { EntitySchema } from '@mikro-orm/core';
import type { Mac } from '../mac.js';

/** How Octofleet reaches a machine's power: a BMC protocol, an operator's webhook, or a person. */
export const POWER_DRIVERS = ['redfish', 'ipmi', 'webhook', 'manual'] as const;
export type PowerDriverName = (typeof POWER_DRIVERS)[number];

/** The firmware mode a one-time PXE boot is requested in. */
export const BOOT_MODES = ['uefi', 'legacy'] as const;
export type BootMode = (typeof BOOT_MODES)[number];

/**
 * A machine's BMC as stored: everything but its secrets (BMC password, webhook secret), which live
 * encrypted in {@link Machine.bmcSecrets}.
 */
export interface BmcSettings {
  driver: PowerDriverName;
  /** Redfish: base URL; IPMI: `host` or `host:port`; webhook: the URL to POST to; manual: null. */
  address: string | null;
  username: string | null;
  /** Redfish: the `Systems` member to drive; the only member when absent. */
  systemId?: string | null;
  /** Redfish and webhook over HTTPS: verify the certificate. @defaultValue true */
  verifyTls?: boolean;
  /** Redfish: `session` (SessionService, logged out after) or `basic` auth. @defaultValue session */
  auth?: 'session' | 'basic';
  /** IPMI: lanplus cipher suite (`ipmitool -C`). @defaultValue 3 */
  cipherSuite?: number;
}

/** The decrypted secrets of a BMC. Never logged, never returned. */
export interface BmcSecrets {
  password?: string;
  /** Webhook HMAC key. */
  secret?: string;
}

/** A named server or VM of the inventory: its hostname, MAC, BMC, profile and tags. */
export class Machine {
  id!: number;
  /** Hostname rules of core/hostname.ts (one RFC 1123 label, lower case). */
  name!: string;
  mac!: Mac;
  bmc!: BmcSettings | null;
  /** Encrypted JSON of {@link BmcSecrets} (core/secrets/secret-box.ts); null when there are none. */
  bmcSecrets!: string | null;
  bootMode!: BootMode;
  profile!: string;
  /** Disk rule of this machine (core/disks/disk-rule.ts); a deployment's own rule wins. */
  disk!: string | null;
  tags!: string[];
  createdAt!: Date;
  updatedAt!: Date;
}

export const MachineSchema = new EntitySchema<Machine>({
  class: Machine,
  tableName: 'machine',
  indexes: [
    {
      name: 'machine_tags_idx',
      expression: 'create index "machine_tags_idx" on "machine" using gin ("tags")',
    },
  ],
  properties: {
    id: { type: 'number', primary: true, autoincrement: true },
    name: { type: 'string', length: 63, unique: 'machine_name_unique' },
    mac: { type: 'string', length: 17, unique: 'machine_mac_unique' },
    bmc: { type: 'json', nullable: true },
    bmcSecrets: { type: 'text', nullable: true, hidden: true, lazy: true },
    bootMode: { type: 'string', length: 8, default: 'uefi' },
    profile: { type: 'string', length: 32, default: 'auto' },
    disk: { type: 'string', length: 96, nullable: true },
    tags: { type: 'string[]', columnType: 'text[]', default: '{}' },
    createdAt: { type: 'Date', columnType: 'timestamptz', onCreate: () => new Date() },
    updatedAt: {
      type: 'Date',
      columnType: 'timestamptz',
      onCreate: () => new Date(),
      onUpdate: () => new Date(),
    },
  },
});

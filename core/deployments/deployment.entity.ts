import { EntitySchema } from '@mikro-orm/core';
import { Batch } from '../batches/batch.entity.js';
import type { Mac } from '../mac.js';
import type { Actor } from './actor.js';
import { ACTIVE_STATES, ALL_STATES, type DeploymentState, sqlStateList } from './lifecycle.js';

/** What iPXE reported about the machine when it fetched its install script. */
export interface BootInfo {
  platform?: string;
  arch?: string;
  uuid?: string;
  serial?: string;
  manufacturer?: string;
  product?: string;
  /** PCI vendor ids (4 lower-case hex digits) of the machine's devices, when iPXE reported them. */
  pciVendors?: string[];
}

/**
 * The template versions a deployment renders with, pinned when its install script is first rendered:
 * template name → the stored template it came from (an image's own `images/<id>/…` or the name itself)
 * and its version (0: the built-in file).
 */
export type TemplatePins = Record<string, { name: string; version: number }>;

export type { Actor } from './actor.js';

/** One request to install an OS on one machine, from `/deploy` to a terminal state. */
export class Deployment {
  id!: number;
  mac!: Mac;
  os!: string;
  edition!: string | null;
  hostname!: string;
  /** Requested hardware profile (`auto` by default). */
  profile!: string;
  /** The profile `auto` resolved to once the machine reported its SMBIOS data. */
  resolvedProfile!: string | null;
  /** Disk rule asked for with this deployment (core/disks/disk-rule.ts); null: the image's or the default. */
  disk!: string | null;
  status!: DeploymentState;
  /** Last stage name and progress reported, for cards and lists. */
  stage!: string | null;
  progress!: number | null;
  failureReason!: string | null;
  requestedBy!: Actor;
  /** Random salt of this deployment's token; the token itself is derived, never stored. */
  tokenNonce!: string;
  /** Encrypted JSON of per-deployment secrets (passwords); see core/secrets. */
  secrets!: string | null;
  boot!: BootInfo | null;
  /** Template versions this deployment renders with; null until its install script was first rendered. */
  templates!: TemplatePins | null;
  createdAt!: Date;
  updatedAt!: Date;
  expiresAt!: Date;
  approvedAt!: Date | null;
  bootingAt!: Date | null;
  installingAt!: Date | null;
  configuringAt!: Date | null;
  finishedAt!: Date | null;
  lastEventAt!: Date;
  /** Install scripts served since the installer last reported: the boot-loop guard counts these. */
  installServes!: number;
  /** Key (`<serve>:<step>:<code>`) of the last boot-failure report: one report per network boot. */
  bootReport!: string | null;
  /** The requester says the machine keeps UEFI Secure Boot on (null: not said). */
  secureBoot!: boolean | null;
  /** The batch it was requested with, if any (see core/batches). */
  batchId?: number | null;
}

const activeList = sqlStateList(ACTIVE_STATES);
const date = (nullable = false) => ({ type: 'Date', columnType: 'timestamptz', nullable }) as const;

export const DeploymentSchema = new EntitySchema<Deployment>({
  class: Deployment,
  tableName: 'deployment',
  checks: [
    { name: 'deployment_status_check', expression: `"status" in (${sqlStateList(ALL_STATES)})` },
    { name: 'deployment_progress_check', expression: '"progress" between 0 and 100' },
  ],
  indexes: [
    {
      name: 'deployment_one_active_per_mac',
      expression: `create unique index "deployment_one_active_per_mac" on "deployment" ("mac") where "status" in (${activeList})`,
    },
    { name: 'deployment_status_idx', properties: ['status'] },
    { name: 'deployment_batch_idx', properties: ['batchId'] },
  ],
  properties: {
    id: { type: 'number', primary: true, autoincrement: true },
    mac: { type: 'string', length: 17 },
    os: { type: 'string', length: 64 },
    edition: { type: 'string', length: 64, nullable: true },
    hostname: { type: 'string', length: 63 },
    profile: { type: 'string', length: 32, default: 'auto' },
    resolvedProfile: { type: 'string', length: 32, nullable: true },
    disk: { type: 'string', length: 96, nullable: true },
    status: { type: 'string', length: 32 },
    stage: { type: 'string', length: 64, nullable: true },
    progress: { type: 'number', nullable: true },
    failureReason: { type: 'text', nullable: true },
    requestedBy: { type: 'json' },
    tokenNonce: { type: 'string', length: 64, hidden: true },
    secrets: { type: 'text', nullable: true, hidden: true, lazy: true },
    boot: { type: 'json', nullable: true },
    templates: { type: 'json', nullable: true },
    createdAt: { ...date(), onCreate: () => new Date() },
    updatedAt: { ...date(), onCreate: () => new Date(), onUpdate: () => new Date() },
    expiresAt: date(),
    approvedAt: date(true),
    bootingAt: date(true),
    installingAt: date(true),
    configuringAt: date(true),
    finishedAt: date(true),
    lastEventAt: { ...date(), onCreate: () => new Date() },
    installServes: { type: 'number', default: 0 },
    bootReport: { type: 'string', length: 128, nullable: true },
    secureBoot: { type: 'boolean', nullable: true },
    batchId: {
      kind: 'm:1',
      entity: () => Batch,
      mapToPk: true,
      fieldName: 'batch_id',
      nullable: true,
      deleteRule: 'set null',
    },
  },
});

/**
 * The `deployment_id` column of a table that belongs to a deployment: a foreign key that removes the
 * row with its deployment, held as the plain id (`mapToPk`) since these rows are never loaded with it.
 */
export const deploymentIdProperty = {
  kind: 'm:1',
  entity: () => Deployment,
  mapToPk: true,
  fieldName: 'deployment_id',
  deleteRule: 'cascade',
} as const;

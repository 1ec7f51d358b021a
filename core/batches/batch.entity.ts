import { EntitySchema } from '@mikro-orm/core';
import type { Actor } from '../deployments/actor.js';

/**
 * Several machines asked for in one request: one OS, one approval, one card and one thread. The batch
 * holds what its members share; each member is an ordinary deployment (`deployment.batch_id`) with its
 * own state machine, so its status is derived from theirs (see {@link batchStatus}).
 */
export class Batch {
  id!: number;
  os!: string;
  edition!: string | null;
  profile!: string;
  requestedBy!: Actor;
  /** How many deployments were created with it (members cannot be added later). */
  size!: number;
  createdAt!: Date;
}

export const BatchSchema = new EntitySchema<Batch>({
  class: Batch,
  tableName: 'batch',
  checks: [{ name: 'batch_size_check', expression: '"size" > 0' }],
  properties: {
    id: { type: 'number', primary: true, autoincrement: true },
    os: { type: 'string', length: 64 },
    edition: { type: 'string', length: 64, nullable: true },
    profile: { type: 'string', length: 32, default: 'auto' },
    requestedBy: { type: 'json' },
    size: { type: 'number' },
    createdAt: { type: 'Date', columnType: 'timestamptz', onCreate: () => new Date() },
  },
});

/** The `batch_id` column of a table that belongs to a batch: removed with it. */
export const batchIdProperty = {
  kind: 'm:1',
  entity: () => Batch,
  mapToPk: true,
  fieldName: 'batch_id',
  deleteRule: 'cascade',
} as const;

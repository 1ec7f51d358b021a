import { EntitySchema } from '@mikro-orm/core';
import { deploymentIdProperty } from '../deployments/deployment.entity.js';

/**
 * Where an approved deployment's power sequence stands (PXE once → verify → on or cycle), so a job that
 * a restarted worker picks up again resumes instead of repeating a power change. `pending` → `pxe_set` →
 * `powering` (intent recorded before the BMC is asked) → `done`; or `failed` (the thread says why).
 */
export class PowerRun {
  deploymentId!: number;
  machineName!: string;
  step!: 'pending' | 'pxe_set' | 'powering' | 'done' | 'failed';
  /** The power state found before acting: what decided between on and cycle. */
  powerBefore!: string | null;
  /** The last BMC error, for the card and the thread. */
  error!: string | null;
  createdAt!: Date;
  updatedAt!: Date;
}

export const PowerRunSchema = new EntitySchema<PowerRun>({
  class: PowerRun,
  tableName: 'power_run',
  properties: {
    deploymentId: { ...deploymentIdProperty, primary: true },
    machineName: { type: 'string', length: 63 },
    step: { type: 'string', length: 16 },
    powerBefore: { type: 'string', length: 16, nullable: true },
    error: { type: 'text', nullable: true },
    createdAt: { type: 'Date', columnType: 'timestamptz', onCreate: () => new Date() },
    updatedAt: {
      type: 'Date',
      columnType: 'timestamptz',
      onCreate: () => new Date(),
      onUpdate: () => new Date(),
    },
  },
});

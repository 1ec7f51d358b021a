import { EntitySchema } from '@mikro-orm/core';
import { batchIdProperty } from '../batches/batch.entity.js';
import { deploymentIdProperty } from './deployment.entity.js';

/**
 * Audit record of every approval decision, accepted or refused: who, where, when, what. A decision on a
 * whole batch is one record with `batchId` and no `deploymentId`.
 */
export class Decision {
  id!: number;
  deploymentId!: number | null;
  batchId?: number | null;
  verdict!: 'approve' | 'reject' | 'cancel';
  /** False when the attempt was refused (not an approver, self-approval, already decided). */
  accepted!: boolean;
  reason!: string | null;
  actorPlatform!: string;
  actorId!: string;
  actorName!: string;
  decidedAt!: Date;
}

export const DecisionSchema = new EntitySchema<Decision>({
  class: Decision,
  tableName: 'decision',
  checks: [
    {
      name: 'decision_subject_check',
      expression: '"deployment_id" is not null or "batch_id" is not null',
    },
  ],
  indexes: [
    { name: 'decision_deployment_idx', properties: ['deploymentId'] },
    { name: 'decision_batch_idx', properties: ['batchId'] },
  ],
  properties: {
    id: { type: 'number', primary: true, autoincrement: true },
    deploymentId: { ...deploymentIdProperty, nullable: true },
    batchId: { ...batchIdProperty, nullable: true },
    verdict: { type: 'string', length: 16 },
    accepted: { type: 'boolean' },
    reason: { type: 'text', nullable: true },
    actorPlatform: { type: 'string', length: 16 },
    actorId: { type: 'string', length: 128 },
    actorName: { type: 'string', length: 256 },
    decidedAt: { type: 'Date', columnType: 'timestamptz', onCreate: () => new Date() },
  },
});

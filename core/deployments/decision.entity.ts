import { EntitySchema } from '@mikro-orm/core';
import { deploymentIdProperty } from './deployment.entity.js';

/** Audit record of every approval decision, accepted or refused: who, where, when, what. */
export class Decision {
  id!: number;
  deploymentId!: number;
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
  indexes: [{ name: 'decision_deployment_idx', properties: ['deploymentId'] }],
  properties: {
    id: { type: 'number', primary: true, autoincrement: true },
    deploymentId: deploymentIdProperty,
    verdict: { type: 'string', length: 16 },
    accepted: { type: 'boolean' },
    reason: { type: 'text', nullable: true },
    actorPlatform: { type: 'string', length: 16 },
    actorId: { type: 'string', length: 128 },
    actorName: { type: 'string', length: 256 },
    decidedAt: { type: 'Date', columnType: 'timestamptz', onCreate: () => new Date() },
  },
});

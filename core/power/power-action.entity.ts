import { EntitySchema } from '@mikro-orm/core';

/** What the power route and `/power` may do. */
export const POWER_ACTIONS = ['status', 'on', 'off', 'cycle', 'pxe-once'] as const;
export type PowerAction = (typeof POWER_ACTIONS)[number];

/**
 * Audit record of every power request through the API, chat or CLI, accepted or refused, like the
 * decisions of deployments: who, where, when, what, and how the BMC answered.
 */
export class PowerActionRecord {
  id!: number;
  machineName!: string;
  action!: PowerAction;
  /** False when refused (not an approver) before the BMC was asked. */
  accepted!: boolean;
  /** The power state reported, or the BMC error code; the refusal for a refused request. */
  result!: string | null;
  actorPlatform!: string;
  actorId!: string;
  actorName!: string;
  requestedAt!: Date;
}

export const PowerActionSchema = new EntitySchema<PowerActionRecord>({
  class: PowerActionRecord,
  tableName: 'power_action',
  indexes: [{ name: 'power_action_machine_idx', properties: ['machineName'] }],
  properties: {
    id: { type: 'number', primary: true, autoincrement: true },
    machineName: { type: 'string', length: 63 },
    action: { type: 'string', length: 16 },
    accepted: { type: 'boolean' },
    result: { type: 'text', nullable: true },
    actorPlatform: { type: 'string', length: 16 },
    actorId: { type: 'string', length: 128 },
    actorName: { type: 'string', length: 256 },
    requestedAt: { type: 'Date', columnType: 'timestamptz', onCreate: () => new Date() },
  },
});

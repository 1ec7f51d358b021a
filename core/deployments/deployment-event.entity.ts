import { EntitySchema } from '@mikro-orm/core';
import { deploymentIdProperty } from './deployment.entity.js';
import type { DeploymentState } from './lifecycle.js';

/**
 * Append-only log of what happened to a deployment: state changes, installer stages, decisions.
 * `postedAt` is the notifier's outbox marker: null until the event reached the chat thread.
 */
export class DeploymentEvent {
  id!: string;
  deploymentId!: number;
  stage!: string;
  message!: string | null;
  progress!: number | null;
  /** Who reported it: `installer`, `boot-server`, `chat`, `api`, `worker`. */
  source!: string;
  /** The state this event moved the deployment to; null when it changed nothing. */
  state!: DeploymentState | null;
  receivedAt!: Date;
  postedAt!: Date | null;
}

export const DeploymentEventSchema = new EntitySchema<DeploymentEvent>({
  class: DeploymentEvent,
  tableName: 'deployment_event',
  indexes: [
    { name: 'deployment_event_deployment_idx', properties: ['deploymentId', 'id'] },
    {
      name: 'deployment_event_unposted_idx',
      expression:
        'create index "deployment_event_unposted_idx" on "deployment_event" ("deployment_id") where "posted_at" is null',
    },
  ],
  properties: {
    id: { type: 'bigint', primary: true, autoincrement: true },
    deploymentId: deploymentIdProperty,
    stage: { type: 'string', length: 64 },
    message: { type: 'text', nullable: true },
    progress: { type: 'number', nullable: true },
    source: { type: 'string', length: 32 },
    state: { type: 'string', length: 32, nullable: true },
    receivedAt: { type: 'Date', columnType: 'timestamptz', onCreate: () => new Date() },
    postedAt: { type: 'Date', columnType: 'timestamptz', nullable: true },
  },
});

import type { EntityManager } from '@mikro-orm/postgresql';
import { NotFoundError, ValidationError } from '../errors.js';
import { upsertSystem } from '../systems/upsert-system.js';
import { Deployment } from './deployment.entity.js';
import { DeploymentEvent } from './deployment-event.entity.js';
import { type DeploymentState, TRANSITIONS } from './lifecycle.js';
import { isStageName, STAGES, type StageName } from './stages.js';

export interface EventInput {
  stage: string;
  message?: string | null;
  progress?: number | null;
  /** Who reported it: `installer`, `boot-server`, `api`, … */
  source: string;
}

export interface RecordedEvent {
  event: DeploymentEvent;
  deployment: Deployment;
  /** True when the event moved the deployment to a new state. */
  changed: boolean;
}

const TIMESTAMP: Partial<Record<DeploymentState, keyof Deployment>> = {
  installing: 'installingAt',
  configuring: 'configuringAt',
  done: 'finishedAt',
  failed: 'finishedAt',
};

const MAX_MESSAGE = 4000;

/**
 * Records one installer stage inside a transaction. The state moves only forward (a compare-and-set on
 * the allowed source states); a late or duplicate stage is still recorded, with `state` null.
 */
export async function recordDeploymentEvent(
  em: EntityManager,
  id: number,
  input: EventInput,
  now: Date,
): Promise<RecordedEvent> {
  if (!isStageName(input.stage)) {
    throw new ValidationError(
      `unknown stage "${input.stage.slice(0, 64)}"; known stages: ${Object.keys(STAGES).join(', ')}`,
      undefined,
      'callback:unknown-stage',
    );
  }
  const progress = input.progress ?? null;
  if (progress !== null && (!Number.isInteger(progress) || progress < 0 || progress > 100)) {
    throw new ValidationError(
      'progress must be a whole number from 0 to 100',
      undefined,
      'callback:bad-progress',
    );
  }
  const message = input.message ? input.message.slice(0, MAX_MESSAGE) : null;
  const stage = input.stage as StageName;
  const target = STAGES[stage].state;
  let changed = false;
  if (target) {
    const patch: Partial<Deployment> = { status: target, updatedAt: now, lastEventAt: now, stage };
    const field = TIMESTAMP[target];
    if (field) (patch as Record<string, unknown>)[field] = now;
    if (progress !== null) patch.progress = progress;
    if (target === 'done') patch.progress = 100;
    if (target === 'failed') patch.failureReason = message ?? 'the installer reported a failure';
    const from = TRANSITIONS[target as Exclude<DeploymentState, 'pending_approval'>];
    changed = (await em.nativeUpdate(Deployment, { id, status: { $in: [...from] } }, patch)) > 0;
  }
  if (!changed) {
    const patch: Partial<Deployment> = { lastEventAt: now, updatedAt: now, stage };
    if (progress !== null) patch.progress = progress;
    await em.nativeUpdate(
      Deployment,
      { id, status: { $in: ['approved', 'booting', 'installing', 'configuring'] } },
      patch,
    );
  }
  const deployment = await em.findOne(Deployment, { id }, { refresh: true });
  if (!deployment) throw new NotFoundError(`deployment #${id} does not exist`, 'deploy:not-found');
  const event = em.create(DeploymentEvent, {
    deploymentId: id,
    stage,
    message,
    progress,
    source: input.source,
    state: changed ? target : null,
    receivedAt: now,
    postedAt: null,
  });
  await em.flush();
  if (changed && deployment.status === 'done') await upsertSystem(em, deployment);
  return { event, deployment, changed };
}

import { ValidationError } from '../errors.js';
import type { Deployment } from './deployment.entity.js';
import type { DeploymentEvent } from './deployment-event.entity.js';
import type { DeploymentState } from './lifecycle.js';
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
  /** The state it left when `changed` (timers of that state are dropped), else null. */
  previousStatus: DeploymentState | null;
}

/** An installer stage that passed {@link validateEvent}: a known stage and the state it leads to. */
export interface ValidEvent {
  stage: StageName;
  target: DeploymentState | null;
  message: string | null;
  progress: number | null;
  source: string;
}

const MAX_MESSAGE = 4000;

/** Checks an installer stage before anything is stored: known stage name, whole-number progress 0–100. */
export function validateEvent(input: EventInput): ValidEvent {
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
  return {
    stage: input.stage,
    target: STAGES[input.stage].state,
    message: input.message ? input.message.slice(0, MAX_MESSAGE) : null,
    progress,
    source: input.source,
  };
}

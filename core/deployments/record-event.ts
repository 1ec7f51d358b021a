import { ValidationError } from '../errors.js';
import { printable } from '../mac.js';
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

/** Longest installer message kept; installers can be chatty, a thread line is cut far shorter anyway. */
export const MAX_EVENT_MESSAGE = 4000;

/**
 * Checks an installer stage before anything is stored, wherever it came from (a callback, the API):
 * a known stage name, whole-number progress 0–100, and a message with line breaks kept (installer output
 * is multi-line), other control characters dropped and its length bounded. The one place these rules live.
 */
export function validateEvent(input: EventInput): ValidEvent {
  if (!isStageName(input.stage)) {
    const valid = Object.keys(STAGES);
    throw new ValidationError(
      `unknown stage "${printable(input.stage.slice(0, 64))}"; valid stages: ${valid.join(', ')}`,
      { validStages: valid },
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
    message: input.message ? cleanMessage(input.message) : null,
    progress,
    source: input.source,
  };
}

function cleanMessage(message: string): string | null {
  const text = message
    .replace(/\r\n?/g, '\n')
    // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is removed
    .replace(/[\u0000-\u0009\u000b-\u001f\u007f]/g, '')
    .trim();
  return text ? text.slice(0, MAX_EVENT_MESSAGE) : null;
}

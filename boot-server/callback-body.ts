import { z } from 'zod';
import { isStageName, STAGES, type StageName } from '../core/deployments/stages.js';
import { ValidationError } from '../core/errors.js';
import { printable } from '../core/mac.js';
import { mapSubiquityEvent, subiquityEvent } from './subiquity-events.js';

/** A callback body, decided. */
export type CallbackInput =
  | { kind: 'record'; stage: StageName; message: string | null; progress: number | null }
  | { kind: 'ignore'; reason: string };

const MAX_MESSAGE = 4000;

// Forms carry strings ("50"); busybox wget cannot send JSON numbers.
const progress = z.preprocess(
  (v) => (typeof v === 'string' && v.trim() !== '' ? Number(v) : v === '' ? undefined : v),
  z
    .number({ invalid_type_error: 'progress must be a number from 0 to 100' })
    .int('progress must be a whole number from 0 to 100')
    .min(0, 'progress must be a whole number from 0 to 100')
    .max(100, 'progress must be a whole number from 0 to 100')
    .optional(),
);

const stageCallback = z.object({
  status: z.string({ required_error: 'status is required (a stage name)' }).min(1).max(64),
  message: z.string().optional(),
  progress,
});

/**
 * Parses `POST /cb/:token` (JSON or form): `{status, message?, progress?}`, or a subiquity/curtin
 * reporting event (recognised by `event_type`). Unknown stages are refused with the list of valid ones.
 */
export function parseCallback(body: unknown): CallbackInput {
  const data = (body && typeof body === 'object' ? body : {}) as Record<string, unknown>;
  if ('event_type' in data) {
    const event = subiquityEvent.safeParse(data);
    if (!event.success) throw invalid(event.error);
    const mapped = mapSubiquityEvent(event.data);
    return mapped.kind === 'ignore'
      ? mapped
      : { kind: 'record', stage: mapped.stage, message: clean(mapped.message), progress: null };
  }
  const parsed = stageCallback.safeParse(data);
  if (!parsed.success) throw invalid(parsed.error);
  const { status, message } = parsed.data;
  if (!isStageName(status)) {
    const valid = Object.keys(STAGES);
    throw new ValidationError(
      `unknown stage "${printable(status)}"; valid stages: ${valid.join(', ')}`,
      { validStages: valid },
      'callback:unknown-stage',
    );
  }
  return {
    kind: 'record',
    stage: status,
    message: message ? clean(message) : null,
    progress: parsed.data.progress ?? null,
  };
}

function invalid(error: z.ZodError): ValidationError {
  const issue = error.issues[0]!;
  const where = issue.path.join('.');
  return new ValidationError(
    where && !issue.message.startsWith(where) ? `${where}: ${issue.message}` : issue.message,
    undefined,
    'callback:invalid',
  );
}

/** Keeps line breaks (installer output is multi-line), drops other control characters, bounds the length. */
function clean(message: string): string | null {
  const text = message
    .replace(/\r\n?/g, '\n')
    // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is removed
    .replace(/[\u0000-\u0009\u000b-\u001f\u007f]/g, '')
    .trim();
  return text ? text.slice(0, MAX_MESSAGE) : null;
}

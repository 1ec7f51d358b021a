import { z } from 'zod';
import { type ValidEvent, validateEvent } from '../core/deployments/record-event.js';
import type { StageName } from '../core/deployments/stages.js';
import { ValidationError } from '../core/errors.js';
import { describeIssue } from '../core/zod-issue.js';
import { mapSubiquityEvent, subiquityEvent } from './subiquity-events.js';

/** A callback body, decided. */
export type CallbackInput =
  | { kind: 'record'; stage: StageName; message: string | null; progress: number | null }
  | { kind: 'ignore'; reason: string };

// Forms carry strings ("50"); busybox wget cannot send JSON numbers.
const progress = z.preprocess(
  (v) => (typeof v === 'string' && v.trim() !== '' ? Number(v) : v === '' ? undefined : v),
  z.number({ invalid_type_error: 'progress must be a number from 0 to 100' }).optional(),
);

const stageCallback = z.object({
  status: z.string({ required_error: 'status is required (a stage name)' }).min(1).max(64),
  message: z.string().optional(),
  progress,
  /**
   * Whether UEFI Secure Boot was on where the installer runs (Linux: byte 5 of the `SecureBoot` EFI
   * variable): `1`/`on`/`true` or `0`/`off`/`false`. Said in the thread with the stage.
   */
  secureBoot: z
    .enum(['1', '0', 'on', 'off', 'true', 'false', 'enabled', 'disabled'], {
      message: 'secureBoot must be on or off (1 or 0)',
    })
    .optional(),
});

const SECURE_BOOT_ON = new Set(['1', 'on', 'true', 'enabled']);

/**
 * Parses `POST /cb/:token` (JSON or form): `{status, message?, progress?}`, or a subiquity/curtin
 * reporting event (recognised by `event_type`). This file reads the transport (forms carry strings,
 * subiquity has its own shape); the rules of an event (known stage, progress range, message cleaning)
 * are core's {@link validateEvent}, so a callback and an API call are held to the same ones.
 */
export function parseCallback(body: unknown): CallbackInput {
  const data = (body && typeof body === 'object' ? body : {}) as Record<string, unknown>;
  if ('event_type' in data) {
    const event = subiquityEvent.safeParse(data);
    if (!event.success) throw invalid(event.error);
    const mapped = mapSubiquityEvent(event.data);
    if (mapped.kind === 'ignore') return mapped;
    return record(validateEvent({ stage: mapped.stage, message: mapped.message, source: 'installer' }));
  }
  const parsed = stageCallback.safeParse(data);
  if (!parsed.success) throw invalid(parsed.error);
  const { status, progress, secureBoot } = parsed.data;
  const said =
    secureBoot === undefined ? null : `Secure Boot ${SECURE_BOOT_ON.has(secureBoot) ? 'on' : 'off'}`;
  const message = [said, parsed.data.message].filter(Boolean).join(', ') || undefined;
  return record(validateEvent({ stage: status, message, progress, source: 'installer' }));
}

const record = (valid: ValidEvent): CallbackInput => ({
  kind: 'record',
  stage: valid.stage,
  message: valid.message,
  progress: valid.progress,
});

function invalid(error: z.ZodError): ValidationError {
  return new ValidationError(describeIssue(error), undefined, 'callback:invalid');
}

import { z } from 'zod';
import { AppError, ConflictError, ValidationError } from '../errors.js';
import { printable } from '../mac.js';

/** Most machines one batch may hold: a rack or two; bigger rollouts are several batches. */
export const MAX_BATCH_SIZE = 500;

/** One target as the API and chat give it: a MAC (with an optional hostname) or an inventory name. */
export const batchItem = z.union([
  z.object({ mac: z.string().max(64), hostname: z.string().max(256).nullish() }).strict(),
  z.object({ machine: z.string().max(256) }).strict(),
]);
export type BatchItem = z.infer<typeof batchItem>;

/** `POST /api/v1/batches` and `/deploy` with several targets, before validation. */
export const batchRequestInput = z
  .object({
    os: z.string({ required_error: 'os is required (see /images)' }).max(64),
    edition: z.string().max(64).nullish(),
    profile: z.string().max(32).nullish(),
    machines: z
      .array(z.unknown(), { required_error: 'machines is required: a list of {mac, hostname?} or {machine}' })
      .min(1, 'machines is empty: name at least one machine')
      .max(MAX_BATCH_SIZE, `machines holds more than ${MAX_BATCH_SIZE}; split the rollout into batches`),
  })
  .strict();

/** What is wrong with one item of a batch. */
export interface BatchProblem {
  /** Position in `machines`, from 0. */
  index: number;
  /** The item as given: its MAC or machine name. */
  target: string;
  /** Stable code of the reason (`input:invalid`, `batch:duplicate`, `deploy:mac-in-use`, …). */
  code: string;
  reason: string;
  /** The deployment holding the MAC, for `deploy:mac-in-use`. */
  deploymentId?: number;
}

/** How an item is shown in messages: its MAC or machine name. */
export function itemTarget(item: unknown): string {
  if (item && typeof item === 'object') {
    const o = item as Record<string, unknown>;
    if (typeof o.mac === 'string') return printable(o.mac);
    if (typeof o.machine === 'string') return printable(o.machine);
  }
  return printable(JSON.stringify(item) ?? String(item));
}

/** A problem from an error thrown while checking one item. */
export function problemOf(index: number, item: unknown, error: unknown): BatchProblem {
  if (!(error instanceof AppError)) throw error;
  return { index, target: itemTarget(item), code: error.code, reason: error.message };
}

/**
 * The one error refusing a whole batch, naming every bad item: 409 when every problem is a MAC already
 * being deployed (retry after those finish), 422 when any item is itself wrong.
 */
export function batchRefused(problems: BatchProblem[]): AppError {
  const sorted = [...problems].sort((a, b) => a.index - b.index);
  const lines = sorted.map((p) => `item ${p.index} (${p.target}): ${p.reason}`);
  const message = `batch refused, nothing was created; ${sorted.length} bad item(s): ${lines.join('; ')}`;
  const detail = { items: sorted };
  return sorted.every((p) => p.code === 'deploy:mac-in-use')
    ? new ConflictError('batch:mac-in-use', message, detail)
    : new ValidationError(message, detail, 'batch:invalid');
}

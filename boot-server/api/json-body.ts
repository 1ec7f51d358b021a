import { bodyParser } from '@koa/bodyparser';
import type { Middleware } from 'koa';
import { z } from 'zod';
import { AppError, ValidationError } from '../../core/errors.js';
import { describeIssue } from '../../core/zod-issue.js';

const parseJson = bodyParser({ enableTypes: ['json'], jsonLimit: '256kb' });

/** JSON bodies only (415 otherwise); an empty body parses as `{}`. */
export const jsonBody: Middleware = async (ctx, next) => {
  const hasBody = Number(ctx.get('content-length') || 0) > 0 || ctx.get('transfer-encoding') !== '';
  if (hasBody && ctx.is('application/json') === false) {
    throw new AppError('request:unsupported-type', 'send a JSON body (Content-Type: application/json)', 415);
  }
  await parseJson(ctx, next);
};

/** Validates a request body with zod: unknown fields and wrong types are a 422 naming the field. */
export function parseBody<T extends z.ZodTypeAny>(schema: T, body: unknown): z.infer<T> {
  const parsed = schema.safeParse(body ?? {});
  if (!parsed.success) {
    throw new ValidationError(describeIssue(parsed.error), parsed.error.issues);
  }
  return parsed.data;
}

/** One line of printable text (no control characters), as chat and consoles show it. */
export const oneLine = (max: number) =>
  z
    .string()
    .max(max)
    // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is refused
    .refine((v) => !/[\u0000-\u001f\u007f]/.test(v), 'must be one line without control characters');

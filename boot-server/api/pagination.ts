import { z } from 'zod';
import { ValidationError } from '../../core/errors.js';

/** `?limit=&offset=` of every list. */
export const pageQuery = z.object({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  offset: z.coerce.number().int().min(0).default(0),
});
export type Page = z.infer<typeof pageQuery>;

/** A page of a list: `{items, total, limit, offset}`. */
export interface Paged<T> {
  items: T[];
  total: number;
  limit: number;
  offset: number;
}

/** Parses a query with zod; the first problem becomes a 422 naming the parameter. */
export function parseQuery<T extends z.ZodTypeAny>(schema: T, query: unknown): z.infer<T> {
  const parsed = schema.safeParse(query);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new ValidationError(
      `query parameter ${issue.path.join('.') || '?'}: ${issue.message}`,
      parsed.error.issues,
    );
  }
  return parsed.data;
}

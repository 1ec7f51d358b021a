import { ValidationError } from '../../core/errors.js';

/**
 * Makes a resource's `GET → edit → PUT` round trip work (`curl … | jq '.kernel = …' | curl -X PUT`):
 * the fields the server owns (`createdAt`, `updatedAt`, `source`, the id, …) may come back in a body.
 * Each one is accepted and dropped when it is absent or equal to what a GET answers now (`current`, the
 * resource as the API serialises it), and refused with a 422 naming the field when a client tries to
 * change it. On create (`current` null) they are dropped: there is nothing to change yet, and a GET from
 * one installation can be POSTed to another. The rest of the body goes on to the resource's own schema,
 * which stays strict about unknown keys.
 *
 * Every resource with a PUT uses it: `acceptReadOnlyFields(body, imageJson(existing), IMAGE_READ_ONLY)`.
 */
export function acceptReadOnlyFields(
  body: unknown,
  current: object | null,
  fields: readonly string[],
): unknown {
  if (!body || typeof body !== 'object' || Array.isArray(body)) return body;
  // What a client saw: the resource as JSON (dates as ISO strings, undefined fields absent).
  const seen = current ? (JSON.parse(JSON.stringify(current)) as Record<string, unknown>) : null;
  const rest: Record<string, unknown> = { ...(body as Record<string, unknown>) };
  const changed: string[] = [];
  for (const field of fields) {
    if (!(field in rest)) continue;
    if (seen && !sameJson(rest[field], seen[field])) changed.push(field);
    delete rest[field];
  }
  if (changed.length > 0) {
    throw new ValidationError(
      `${changed.join(', ')} ${changed.length === 1 ? 'is' : 'are'} read-only: send ${changed.length === 1 ? 'it' : 'them'} unchanged (as GET answers) or leave ${changed.length === 1 ? 'it' : 'them'} out`,
      { readOnly: changed },
      'input:read-only',
    );
  }
  return rest;
}

/** Equal as JSON, whatever the key order of objects. */
function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(canonical(a)) === JSON.stringify(canonical(b));
}

function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value && typeof value === 'object')
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((k) => [k, canonical((value as Record<string, unknown>)[k])]),
    );
  return value;
}

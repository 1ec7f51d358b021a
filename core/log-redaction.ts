import { SECRET_KEYS as CONFIG_SECRETS } from './config/schema.js';

/**
 * The secret-blanking pass every log line goes through: any property whose name is one of
 * {@link SECRET_KEYS} (any case), at any depth up to {@link MAX_DEPTH}, is logged as `[redacted]`.
 * Secrets must not reach logs in the first place; this catches the accidents (a config object, a request
 * header, a token in a body logged whole).
 *
 * pino's own `redact` option compiles one matcher per path, and every wildcard path (`*.password`) walks
 * the whole line again: with the eighteen this project needs, a log line cost 28 µs instead of 4 (measured
 * in bench/README.md, "Boot storm"), more than a bare HTTP request. This is one walk by key name, which
 * also covers depths and spellings nobody listed. The logged object is never changed: what holds a
 * secret is copied on the way out.
 */
export const SECRET_KEYS: ReadonlySet<string> = new Set(
  [
    'password',
    'secret',
    'secrets',
    'token',
    'authorization',
    'cookie',
    'x-slack-signature',
    'x-auth-token',
    'bmcSecrets',
    // ipmitool's environment (core/power/ipmi), and every configuration variable that holds a secret.
    'IPMI_PASSWORD',
    ...CONFIG_SECRETS,
  ].map((key) => key.toLowerCase()),
);

export const CENSOR = '[redacted]';

/** How deep the walk goes (0 is the line's own fields): a request's `req.headers.authorization` is 2. */
export const MAX_DEPTH = 4;

/** `value` with every secret-named property censored; the same object when it holds none. */
export function redactSecrets<T>(value: T, depth = 0): T {
  if (value === null || typeof value !== 'object' || depth > MAX_DEPTH) return value;
  if (ArrayBuffer.isView(value) || value instanceof Date) return value;
  const source = value as Record<string, unknown>;
  let copy: Record<string, unknown> | undefined;
  for (const key of Object.keys(source)) {
    const field = source[key];
    let logged = field;
    if (SECRET_KEYS.has(key.toLowerCase())) {
      if (field !== undefined && field !== null) logged = CENSOR;
    } else if (field !== null && typeof field === 'object') {
      logged = redactSecrets(field, depth + 1);
    }
    if (logged !== field) {
      copy ??= shallowCopy(source);
      copy[key] = logged;
    }
  }
  return (copy ?? value) as T;
}

/** A copy that still serialises as what it was: arrays stay arrays, errors keep message, name and stack. */
function shallowCopy(source: Record<string, unknown>): Record<string, unknown> {
  if (Array.isArray(source)) return [...source] as unknown as Record<string, unknown>;
  const copy = Object.assign(Object.create(Object.getPrototypeOf(source)), source);
  if (source instanceof Error) {
    for (const key of ['name', 'message', 'stack', 'cause'] as const) {
      if (key in source)
        Object.defineProperty(copy, key, { value: source[key], enumerable: false, writable: true });
    }
  }
  return copy;
}

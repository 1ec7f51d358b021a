import { createHmac, randomUUID, timingSafeEqual } from 'node:crypto';

/** Headers of a signed power webhook. */
export const WEBHOOK_HEADERS = {
  /** Unix time in seconds when the request was signed. */
  timestamp: 'x-octofleet-timestamp',
  /** `sha256=<hex HMAC-SHA256 over "<timestamp>.<body>">` with the machine's webhook secret. */
  signature: 'x-octofleet-signature',
  /** A unique id per request, so a receiver can drop a replay inside the window too. */
  delivery: 'x-octofleet-delivery',
} as const;

/** How old a signed request a receiver should still accept, in seconds (documented in docs/power.md). */
export const WEBHOOK_REPLAY_WINDOW_SECONDS = 300;

/** Signs a body: the headers to send with it. The timestamp is part of the MAC, so it cannot be changed. */
export function signWebhook(secret: string, body: string, now = new Date()): Record<string, string> {
  const timestamp = String(Math.floor(now.getTime() / 1000));
  return {
    [WEBHOOK_HEADERS.timestamp]: timestamp,
    [WEBHOOK_HEADERS.signature]: `sha256=${mac(secret, timestamp, body)}`,
    [WEBHOOK_HEADERS.delivery]: randomUUID(),
  };
}

/**
 * What a receiver does (and what our tests do): recompute the HMAC over `<timestamp>.<body>` and compare
 * in constant time, then refuse a timestamp more than `windowSeconds` away from now (a replayed request
 * carries its old timestamp). Answers why it refused, or null when the request is genuine.
 */
export function verifyWebhook(
  secret: string,
  headers: Record<string, string | string[] | undefined>,
  body: string,
  opts: { now?: Date; windowSeconds?: number } = {},
): 'missing' | 'bad-signature' | 'stale' | null {
  const one = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v);
  const timestamp = one(headers[WEBHOOK_HEADERS.timestamp]);
  const signature = one(headers[WEBHOOK_HEADERS.signature]);
  if (!timestamp || !signature || !/^\d{1,12}$/.test(timestamp)) return 'missing';
  const expected = Buffer.from(`sha256=${mac(secret, timestamp, body)}`);
  const given = Buffer.from(signature);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return 'bad-signature';
  const now = Math.floor((opts.now ?? new Date()).getTime() / 1000);
  if (Math.abs(now - Number(timestamp)) > (opts.windowSeconds ?? WEBHOOK_REPLAY_WINDOW_SECONDS))
    return 'stale';
  return null;
}

function mac(secret: string, timestamp: string, body: string): string {
  return createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex');
}

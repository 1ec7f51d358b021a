import { createHmac } from 'node:crypto';

/**
 * Slack's side of HTTP mode: signed POSTs to the app's Request URL
 * (https://docs.slack.dev/authentication/verifying-requests-from-slack). The signature is
 * `v0=` + hex HMAC-SHA256(signing secret, `v0:${timestamp}:${rawBody}`); apps refuse timestamps more than
 * five minutes away from their clock.
 */

/** How to sign (or mis-sign) one delivery. */
export interface DeliveryOptions {
  /** Sign with a wrong secret, as a forger would. @defaultValue false */
  forgeSignature?: boolean;
  /** Pretend the request was signed this many seconds ago (e.g. 360 for a stale replay). @defaultValue 0 */
  ageSeconds?: number;
  /** Exact `x-slack-request-timestamp` (Unix seconds); overrides `ageSeconds`. */
  timestamp?: number;
  /** Leave out both signature headers. @defaultValue false */
  unsigned?: boolean;
  /** Extra request headers (e.g. retry headers). */
  headers?: Record<string, string>;
  /** Slack gives up on the app after 3 s. @defaultValue 3000 */
  timeoutMs?: number;
}

/** What the app answered. */
export interface DeliveryResult {
  /** HTTP status; 0 when the app did not answer within the timeout or the connection failed. */
  status: number;
  /** Raw response body. */
  text: string;
  /** Parsed body when it was JSON. */
  json?: unknown;
  timedOut: boolean;
}

/** Computes the `x-slack-signature` value for a body. */
export function slackSignature(signingSecret: string, timestamp: number, rawBody: string): string {
  return `v0=${createHmac('sha256', signingSecret).update(`v0:${timestamp}:${rawBody}`).digest('hex')}`;
}

/**
 * POSTs `rawBody` to the app as Slack would. The timestamp uses the real clock, because the app checks it
 * against its own.
 */
export async function deliver(
  targetUrl: string,
  rawBody: string,
  contentType: 'application/x-www-form-urlencoded' | 'application/json',
  signingSecret: string,
  opts: DeliveryOptions = {},
): Promise<DeliveryResult> {
  const timestamp = opts.timestamp ?? Math.floor(Date.now() / 1000) - (opts.ageSeconds ?? 0);
  const secret = opts.forgeSignature ? `${signingSecret}-forged` : signingSecret;
  const headers: Record<string, string> = {
    'content-type': contentType,
    'user-agent': 'Slackbot 1.0 (+https://api.slack.com/robots)',
    ...(opts.unsigned
      ? {}
      : {
          'x-slack-signature': slackSignature(secret, timestamp, rawBody),
          'x-slack-request-timestamp': String(timestamp),
        }),
    ...opts.headers,
  };
  try {
    const res = await fetch(targetUrl, {
      method: 'POST',
      headers,
      body: rawBody,
      signal: AbortSignal.timeout(opts.timeoutMs ?? 3000),
    });
    const text = await res.text();
    let json: unknown;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = undefined;
    }
    return { status: res.status, text, json, timedOut: false };
  } catch (err) {
    const timedOut = (err as Error).name === 'TimeoutError';
    return { status: 0, text: timedOut ? '' : String(err), timedOut };
  }
}

/** Encodes fields as `application/x-www-form-urlencoded`, the way Slack sends commands and interactions. */
export const formEncode = (fields: Record<string, string>): string => new URLSearchParams(fields).toString();

import { Agent, request } from 'undici';
import { BmcError } from './power-driver.js';

/** An HTTP answer with its body read (JSON when it parses, else text). */
export interface HttpAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  json: unknown;
  text: string;
}

export interface HttpClient {
  send(
    method: string,
    url: string,
    opts?: { headers?: Record<string, string>; body?: string },
  ): Promise<HttpAnswer>;
  close(): Promise<void>;
}

export interface HttpClientOptions {
  /** Verify the server's certificate. @defaultValue true */
  verifyTls?: boolean;
  /** Connect, headers and body timeout each. @defaultValue 30 000 */
  timeoutMs?: number;
}

const TLS_CODES = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
]);
const TIMEOUT_CODES = new Set([
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'ETIMEDOUT',
]);

/**
 * HTTP for BMCs and power webhooks (undici): one connection pool per driver, TLS verification on unless
 * the machine says `verifyTls: false`, and network failures turned into {@link BmcError}s that say
 * whether a retry may help.
 */
export function createHttpClient(opts: HttpClientOptions = {}): HttpClient {
  const timeout = opts.timeoutMs ?? 30_000;
  const agent = new Agent({
    connect: { rejectUnauthorized: opts.verifyTls ?? true, timeout },
    headersTimeout: timeout,
    bodyTimeout: timeout,
  });
  return {
    async send(method, url, { headers = {}, body } = {}) {
      let answer: Awaited<ReturnType<typeof request>>;
      try {
        answer = await request(url, {
          method: method as 'GET',
          headers: {
            accept: 'application/json',
            ...(body ? { 'content-type': 'application/json' } : {}),
            ...headers,
          },
          body,
          dispatcher: agent,
        });
      } catch (error) {
        throw networkError(error, url);
      }
      const text = await answer.body.text().catch(() => '');
      let json: unknown = null;
      try {
        json = text ? JSON.parse(text) : null;
      } catch {
        json = null;
      }
      return { status: answer.statusCode, headers: answer.headers, json, text };
    },
    close: () => agent.close(),
  };
}

/** A failed connection as a BmcError, without the request's headers (they carry credentials). */
function networkError(error: unknown, url: string): BmcError {
  const e = error as { code?: string; message?: string; cause?: { code?: string; message?: string } };
  const code = e.code ?? e.cause?.code ?? '';
  const origin = safeOrigin(url);
  if (TLS_CODES.has(code) || TLS_CODES.has(e.cause?.code ?? ''))
    return new BmcError(
      'tls',
      `${origin}: certificate not trusted (${code || e.cause?.code}); install a trusted certificate on the BMC or set bmc.verifyTls to false for this machine`,
    );
  if (TIMEOUT_CODES.has(code))
    return new BmcError('timeout', `${origin} did not answer in time (${code})`, true);
  const message = e.cause?.message ?? e.message ?? String(error);
  return new BmcError('unreachable', `${origin} is unreachable: ${message}`, true);
}

function safeOrigin(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return 'the BMC';
  }
}

/** A header's single value. */
export function header(answer: HttpAnswer, name: string): string | undefined {
  const v = answer.headers[name.toLowerCase()];
  return Array.isArray(v) ? v[0] : v;
}

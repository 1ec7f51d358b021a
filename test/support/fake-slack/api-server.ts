import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { RateLimiter } from './rate-limits.js';
import type { ResponseUrls } from './response-urls.js';
import type { SocketModeServer } from './socket-mode.js';
import type { FakeSlackState } from './state.js';
import type { FakeFailure } from './types.js';
import type { ApiAnswer, ApiHandler } from './web-api-chat.js';

/** What the HTTP front of the fake dispatches to. */
export interface ApiServerParts {
  state: FakeSlackState;
  limiter: Pick<RateLimiter, 'take'>;
  responseUrls: ResponseUrls;
  socket: SocketModeServer;
  methods: Record<string, ApiHandler>;
  botToken: string;
  appToken: string;
}

const readBody = (req: IncomingMessage): Promise<string> =>
  new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });

const sendJson = (
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
) => {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
  res.end(JSON.stringify(body));
};

/**
 * node:http front of the fake: `/api/<method>` (Web API), `/commands/…` and `/actions/…` (response_url),
 * and WebSocket upgrades on `/link/` (Socket Mode). Listens on 127.0.0.1 only.
 */
export class ApiServer {
  /** Pending injected failures, consumed in order. */
  readonly failures: FakeFailure[] = [];
  private readonly server: Server;

  constructor(private readonly parts: ApiServerParts) {
    this.server = createServer((req, res) => {
      this.route(req, res).catch((err: unknown) => {
        if (!res.headersSent) sendJson(res, 500, { ok: false, error: 'fatal_error', detail: String(err) });
      });
    });
    this.server.on('upgrade', (req, socket, head) => parts.socket.upgrade(req, socket, head));
  }

  /** Starts listening; answers the port. */
  async listen(port = 0): Promise<number> {
    await new Promise<void>((resolve) => this.server.listen(port, '127.0.0.1', resolve));
    return (this.server.address() as AddressInfo).port;
  }

  /** Stops listening and cuts open keep-alive connections. */
  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const body = await readBody(req);
    if (url.pathname.startsWith('/api/')) return this.api(url, req, body, res);
    if (req.method === 'POST' && this.parts.responseUrls.owns(url.pathname)) {
      const r = this.parts.responseUrls.post(url.pathname, body);
      return sendJson(res, r.status, r.status === 200 ? { ok: true } : { ok: false, error: r.outcome });
    }
    sendJson(res, 404, { ok: false, error: 'not_found' });
  }

  private async api(url: URL, req: IncomingMessage, body: string, res: ServerResponse): Promise<void> {
    const { state, limiter, methods, botToken, appToken } = this.parts;
    const method = url.pathname.slice('/api/'.length);
    const parsed = parseParams(url, req, body);
    const { token: bodyToken, ...params } = parsed.params;
    const header = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    const answer = (status: number, result: ApiAnswer, headers: Record<string, string> = {}) => {
      state.calls.push({
        method,
        params,
        status,
        ok: result.ok,
        error: result.ok ? undefined : String(result.error),
        retryAfter: headers['retry-after'] ? Number(headers['retry-after']) : undefined,
      });
      state.notify('call', state.calls.at(-1));
      sendJson(res, status, result, headers);
    };

    const failure = this.takeFailure(method);
    if (failure?.reset) {
      state.calls.push({ method, params, status: 0, ok: false, error: 'connection_reset' });
      state.notify('call', state.calls.at(-1));
      req.socket.destroy();
      return;
    }
    if (failure?.error) return answer(200, { ok: false, error: failure.error });
    if (failure) return answer(failure.status ?? 500, { ok: false, error: 'internal_error' });

    if (parsed.error) return answer(200, { ok: false, error: parsed.error });
    const handler = methods[method];
    if (!handler && method !== 'apps.connections.open')
      return answer(200, { ok: false, error: 'unknown_method' });
    // JSON bodies cannot carry the token (https://docs.slack.dev/apis/web-api/#posting_json).
    const token = header ?? (parsed.json ? undefined : (bodyToken as string | undefined));
    if (!token) return answer(200, { ok: false, error: 'not_authed' });
    if (token !== botToken && token !== appToken) return answer(200, { ok: false, error: 'invalid_auth' });
    const wantsApp = method === 'apps.connections.open';
    if ((token === appToken) !== wantsApp) return answer(200, { ok: false, error: 'not_allowed_token_type' });
    // apps.connections.open takes its token from the Authorization header only.
    if (wantsApp && !header) return answer(200, { ok: false, error: 'not_authed' });

    const channel = typeof params.channel === 'string' ? state.resolveChannel(params.channel)?.id : undefined;
    const limited = limiter.take(method, channel ?? (params.channel as string | undefined));
    if (limited) {
      state.rateLimited.push({ method, ...limited });
      state.notify('ratelimited', state.rateLimited.at(-1));
      return answer(429, { ok: false, error: 'ratelimited' }, { 'retry-after': String(limited.retryAfter) });
    }
    const result = wantsApp ? this.parts.socket.open() : handler!({ state, params });
    answer(200, result);
  }

  private takeFailure(method: string): FakeFailure | undefined {
    const i = this.failures.findIndex((f) => f.method === '*' || f.method === method);
    if (i < 0) return undefined;
    const f = this.failures[i]!;
    const left = (f.times ?? 1) - 1;
    if (left <= 0) this.failures.splice(i, 1);
    else this.failures[i] = { ...f, times: left };
    return f;
  }
}

/** Query string plus a form or JSON body, as Slack accepts them. */
function parseParams(url: URL, req: IncomingMessage, body: string) {
  const params: Record<string, unknown> = Object.fromEntries(url.searchParams);
  const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  if (body === '') return { params, json: false };
  if (type === 'application/json') {
    try {
      const parsed: unknown = JSON.parse(body);
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
        return { params, json: true, error: 'invalid_json' };
      }
      return { params: { ...params, ...(parsed as Record<string, unknown>) }, json: true };
    } catch {
      return { params, json: true, error: 'invalid_json' };
    }
  }
  if (type === 'application/x-www-form-urlencoded') {
    return { params: { ...params, ...Object.fromEntries(new URLSearchParams(body)) }, json: false };
  }
  return { params, json: false, error: type ? 'invalid_post_type' : 'missing_post_type' };
}

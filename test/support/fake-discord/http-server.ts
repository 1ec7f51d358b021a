import type { IncomingMessage, ServerResponse } from 'node:http';
import { STATUS_CODES } from 'node:http';
import type { FakeContext, RouteDef, RouteRequest, UploadedFile } from './context.js';
import { DiscordHttpError, httpStatusError, methodNotAllowed, notFound, unauthorized } from './errors.js';
import type { FailureInjector } from './failure-injector.js';
import type { RateLimiter } from './rate-limiter.js';

interface CompiledRoute {
  def: RouteDef;
  regex: RegExp;
  names: string[];
  name: string;
}

/** Matches `/api/v10/...` paths against the route table. Literal segments (`@me`) win over parameters by order. */
export function compileRoutes(defs: RouteDef[]): CompiledRoute[] {
  return defs.map((def) => {
    const names: string[] = [];
    const source = def.pattern.replace(/:(\w+)/g, (_m, name: string) => {
      names.push(name);
      return '([^/]+)';
    });
    return { def, regex: new RegExp(`^${source}$`), names, name: `${def.method} ${def.pattern}` };
  });
}

/** The REST request handler: parse, inject failures, authenticate, rate-limit, route, record. */
export function createRestHandler(
  ctx: FakeContext,
  routes: CompiledRoute[],
  limiter: RateLimiter,
  injector: FailureInjector,
): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    void handle(ctx, routes, limiter, injector, req, res).catch((error: unknown) => {
      // A crash here is a bug in the fake, not Discord behaviour: make it loud.
      console.error('fake-discord: internal error', error);
      if (!res.headersSent) send(res, 500, { message: `fake-discord bug: ${String(error)}`, code: 0 }, {});
    });
  };
}

async function handle(
  ctx: FakeContext,
  routes: CompiledRoute[],
  limiter: RateLimiter,
  injector: FailureInjector,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://127.0.0.1');
  const method = req.method ?? 'GET';
  const path = url.pathname.startsWith('/api/v10/') ? url.pathname.slice('/api/v10'.length) : null;
  const raw = await readBody(req);
  const call = {
    at: Date.now(),
    method,
    path: path ?? url.pathname,
    route: null as string | null,
    query: Object.fromEntries(url.searchParams),
    body: undefined as unknown,
    status: 0,
    authorized: false,
  };
  const finish = (status: number, body: unknown, headers: Record<string, string>) => {
    call.status = status;
    ctx.state.calls.push(call);
    if (status === 401 || status === 403 || status === 429) ctx.state.invalidRequests++;
    send(res, status, body, headers);
    ctx.state.changed('call');
  };

  const matched = path === null ? undefined : matchRoute(routes, method, path);
  if (!matched) {
    const error = path !== null && routes.some((r) => r.regex.test(path)) ? methodNotAllowed() : notFound();
    return finish(error.status, error.body, {});
  }
  const { route, params } = matched;
  call.route = route.def.pattern;
  let parsed: { body: unknown; files: UploadedFile[] };
  try {
    parsed = await parseBody(req.headers['content-type'], raw);
  } catch {
    return finish(400, { code: 50109, message: 'The request body contains invalid JSON.' }, {});
  }
  call.body = parsed.body;

  const failure = injector.take(method, call.path, route.def.pattern);
  if (failure === 'reset') {
    call.status = -1;
    ctx.state.calls.push(call);
    req.socket.destroy();
    return;
  }
  if (failure !== null) {
    const e = httpStatusError(failure, STATUS_CODES[failure] ?? 'Error');
    return finish(failure, e.body, {});
  }

  call.authorized = req.headers.authorization === `Bot ${ctx.config.token}`;
  if (route.def.auth === 'bot' && !call.authorized) return finish(401, unauthorized().body, {});

  const bucketId = route.def.bucket === 'routes' ? route.name : (route.def.bucket ?? '');
  const verdict = limiter.take(route.def.bucket, bucketId, majorOf(params), route.def.auth === 'bot');
  if (verdict.limited) {
    ctx.state.rateLimited.total++;
    ctx.state.rateLimited[verdict.limited.scope === 'global' ? 'global' : 'route']++;
    return finish(429, verdict.limited.body, verdict.headers);
  }

  const request: RouteRequest = { params, query: url.searchParams, body: parsed.body, files: parsed.files };
  try {
    const result = await route.def.handle(ctx, request);
    const status = result.status ?? (result.body === undefined ? 204 : 200);
    return finish(status, result.body, verdict.headers);
  } catch (error) {
    if (error instanceof DiscordHttpError) return finish(error.status, error.body, verdict.headers);
    throw error;
  }
}

function matchRoute(routes: CompiledRoute[], method: string, path: string) {
  for (const route of routes) {
    if (route.def.method !== method) continue;
    const m = route.regex.exec(path);
    if (!m) continue;
    const params: Record<string, string> = {};
    route.names.forEach((n, i) => {
      params[n] = decodeURIComponent(m[i + 1]!);
    });
    return { route, params };
  }
  return undefined;
}

/** The resource a request is about, which Discord's per-route buckets are split by. */
function majorOf(params: Record<string, string>): string {
  if (params.app && params.token) return `${params.app}/${params.token}`;
  return params.channel ?? params.guild ?? 'global';
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** JSON bodies, and multipart ones as discord.js sends with files (`payload_json` + `files[n]`). */
async function parseBody(
  type: string | undefined,
  raw: Buffer,
): Promise<{ body: unknown; files: UploadedFile[] }> {
  if (raw.length === 0) return { body: undefined, files: [] };
  if (type?.startsWith('multipart/form-data')) {
    const form = await new Response(new Uint8Array(raw), { headers: { 'content-type': type } }).formData();
    const files: UploadedFile[] = [];
    let body: unknown;
    form.forEach((value, field) => {
      if (field === 'payload_json') body = JSON.parse(String(value));
      else if (typeof value !== 'string')
        files.push({ field, filename: value.name, contentType: value.type, size: value.size });
    });
    return { body, files };
  }
  return { body: JSON.parse(raw.toString('utf8')), files: [] };
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string>): void {
  const payload = body === undefined || status === 204 ? '' : JSON.stringify(body);
  res.writeHead(status, { ...headers, ...(payload ? { 'Content-Type': 'application/json' } : {}) });
  res.end(payload);
}

import type { Middleware } from 'koa';
import { isAppError } from '../../core/errors.js';
import { type Logger, redactTokenInPath } from '../../core/logger.js';

/** The JSON body of every 4xx/5xx answer. */
export interface ErrorBody {
  /** Stable code, e.g. `deploy:mac-in-use`, `request:too-large`. */
  error: string;
  /** What went wrong, for a human; `internal server error` when the cause must not be shown. */
  detail: string;
  /** Structured context when the error carries some (validation issues, the conflicting deployment). */
  info?: unknown;
}

const HTTP_CODES: Record<number, string> = {
  400: 'request:invalid-body',
  401: 'auth:required',
  404: 'not-found',
  405: 'method-not-allowed',
  413: 'request:too-large',
  415: 'request:unsupported-type',
  501: 'not-implemented',
};

/**
 * The one place errors become HTTP answers: an AppError keeps its status and code (its message only when
 * `expose`), errors from Koa's own middleware (body limits, bad JSON) keep their 4xx, anything else is a
 * 500 without details. Server faults are logged; tokens in paths are redacted.
 */
export function errorHandler(logger: Logger): Middleware {
  return async (ctx, next) => {
    try {
      await next();
      const status = ctx.status;
      if (status >= 400 && ctx.body == null && ctx.respond !== false) {
        ctx.body = {
          error: HTTP_CODES[status] ?? `http:${status}`,
          detail: status === 404 ? 'no such route' : ctx.message,
        } satisfies ErrorBody;
        ctx.status = status; // setting a body would otherwise make Koa answer 200
      }
    } catch (error) {
      const { status, body, headers } = toAnswer(error);
      if (status >= 500) {
        logger.error({ err: error, method: ctx.method, path: redactTokenInPath(ctx.path) }, 'request failed');
      }
      ctx.status = status;
      ctx.set(headers);
      ctx.body = body;
      // A streaming route (files) may have set the file's type before failing.
      ctx.type = 'application/json';
    }
  };
}

function toAnswer(error: unknown): { status: number; body: ErrorBody; headers: Record<string, string> } {
  if (isAppError(error)) {
    const body: ErrorBody = {
      error: error.code,
      detail: error.expose ? error.message : 'internal server error',
    };
    if (error.expose && error.detail !== undefined) body.info = error.detail;
    return {
      status: error.status,
      body,
      headers: error.status === 401 ? { 'WWW-Authenticate': 'Bearer' } : {},
    };
  }
  // 4xx errors from Koa middleware (co-body's 413 and its bare 400 for bad JSON, router's 405) are about
  // the request and may be shown unless they say otherwise.
  const e = error as { status?: unknown; expose?: unknown; message?: unknown; headers?: unknown };
  if (typeof e?.status === 'number' && e.status >= 400 && e.status < 500 && e.expose !== false) {
    return {
      status: e.status,
      body: { error: HTTP_CODES[e.status] ?? `http:${e.status}`, detail: String(e.message) },
      headers: (e.headers as Record<string, string> | undefined) ?? {},
    };
  }
  return { status: 500, body: { error: 'internal', detail: 'internal server error' }, headers: {} };
}

import type { Middleware } from 'koa';
import type { RequestRecorder } from './request-recorder.js';

/**
 * One structured log line and one latency observation per request, taken when the response is finished
 * (so streamed files and mounted handlers count too). Paths have tokens redacted; bodies, headers with
 * credentials and query strings are never logged.
 */
export function accessLog(record: RequestRecorder): Middleware {
  return async (ctx, next) => {
    const started = process.hrtime.bigint();
    ctx.res.once('close', () => {
      const route = (ctx as { _matchedRoute?: string })._matchedRoute ?? ctx.state.mountPath ?? 'unmatched';
      record({
        method: ctx.method,
        path: ctx.path,
        route: String(route),
        status: ctx.res.statusCode,
        seconds: Number(process.hrtime.bigint() - started) / 1e9,
        remote: ctx.ip,
        agent: ctx.get('user-agent'),
        aborted: !ctx.res.writableFinished,
      });
    });
    await next();
  };
}

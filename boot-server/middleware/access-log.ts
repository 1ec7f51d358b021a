import type { Middleware } from 'koa';
import { type Logger, redactTokenInPath } from '../../core/logger.js';
import type { BootServerMetrics } from '../../core/metrics.js';

/**
 * One structured log line and one latency observation per request, taken when the response is finished
 * (so streamed files and mounted handlers count too). Paths have tokens redacted; bodies, headers with
 * credentials and query strings are never logged.
 */
export function accessLog(
  logger: Logger,
  metrics: BootServerMetrics,
  listener: 'boot' | 'admin',
): Middleware {
  // These lines carry only the fields below, none of which can hold a secret (tokens in paths are
  // replaced first), so they skip pino's redaction pass, which cost ~4% of a callback's CPU in the storm.
  const log = logger.child({}, { redact: { paths: [] } });
  return async (ctx, next) => {
    const started = process.hrtime.bigint();
    ctx.res.once('close', () => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const status = ctx.res.statusCode;
      const route = (ctx as { _matchedRoute?: string })._matchedRoute ?? ctx.state.mountPath ?? 'unmatched';
      metrics.httpDuration.observe(
        { listener, method: ctx.method, route: String(route), status: String(status) },
        seconds,
      );
      const quiet = ctx.path === '/healthz' || ctx.path === '/metrics';
      log[quiet ? 'debug' : 'info'](
        {
          listener,
          method: ctx.method,
          path: redactTokenInPath(ctx.path),
          status,
          ms: Math.round(seconds * 1000),
          remote: ctx.ip,
          agent: ctx.get('user-agent').slice(0, 100) || undefined,
          aborted: !ctx.res.writableFinished || undefined,
        },
        'request',
      );
    });
    await next();
  };
}

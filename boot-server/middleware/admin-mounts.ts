import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Middleware } from 'koa';

/** A raw Node handler on the admin listener, e.g. Slack's HTTP receiver at `/slack/events`. */
export interface AdminMount {
  /** Path prefix, e.g. `/slack/events`; matches itself and anything below it. */
  path: string;
  handler: (req: IncomingMessage, res: ServerResponse) => void;
}

/**
 * Hands requests under a mounted path to their handler untouched: no bearer check (Slack signs its own
 * requests and the handler verifies that) and no body parsing (the signature covers the raw body).
 */
export function adminMounts(mounts: AdminMount[]): Middleware {
  return async (ctx, next) => {
    const mount = mounts.find((m) => ctx.path === m.path || ctx.path.startsWith(`${m.path}/`));
    if (!mount) return next();
    ctx.state.mountPath = mount.path;
    ctx.respond = false;
    await new Promise<void>((resolve) => {
      ctx.res.once('close', resolve);
      try {
        mount.handler(ctx.req, ctx.res);
      } catch {
        if (!ctx.res.headersSent) ctx.res.writeHead(500, { 'content-type': 'application/json' });
        ctx.res.end('{"error":"internal","detail":"internal server error"}');
      }
    });
  };
}

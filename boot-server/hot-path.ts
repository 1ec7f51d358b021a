import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import type { RequestRecorder } from './middleware/request-recorder.js';

/**
 * The boot listener's request handler: `GET`/`HEAD /boot.ipxe` answered before Koa, everything else by
 * the Koa app.
 *
 * When a rack powers on, every machine asks for the same entry script within seconds. It is constant
 * bytes, so what it costs is the stack around it: Koa's context, the router's matching, middleware
 * promises and the garbage all of that leaves. Answered here it costs what a bare `node:http` server
 * pays plus the access-log line and the latency observation every request gets (same fields, same
 * metric) — see bench/README.md, "Boot storm". Only exact paths qualify (a query string is allowed, as
 * iPXE may add one); anything else, including other methods, gets Koa's answer (404, 405) as before.
 */
export function withHotPath(
  koa: RequestListener,
  entryScript: () => Buffer,
  record: RequestRecorder,
): RequestListener {
  return (req, res) => {
    if ((req.method === 'GET' || req.method === 'HEAD') && isEntryPath(req.url)) {
      serveEntryScript(req, res, entryScript(), record);
      return;
    }
    koa(req, res);
  };
}

function isEntryPath(url: string | undefined): boolean {
  if (!url?.startsWith('/boot.ipxe')) return false;
  return url.length === 10 || url.charCodeAt(10) === 63; // "?"
}

function serveEntryScript(
  req: IncomingMessage,
  res: ServerResponse,
  body: Buffer,
  record: RequestRecorder,
): void {
  const started = process.hrtime.bigint();
  res.writeHead(200, {
    'Content-Type': 'text/plain; charset=utf-8',
    'Content-Length': body.length,
    'Cache-Control': 'no-store',
  });
  res.end(req.method === 'HEAD' ? undefined : body);
  record({
    method: req.method!,
    path: '/boot.ipxe',
    route: '/boot.ipxe',
    status: 200,
    seconds: Number(process.hrtime.bigint() - started) / 1e9,
    remote: req.socket.remoteAddress,
    agent: req.headers['user-agent'],
    aborted: false,
  });
}

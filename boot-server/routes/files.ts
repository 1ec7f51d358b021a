import { resolve } from 'node:path';
import type Router from '@koa/router';
import send from 'send';
import { AppError, NotFoundError } from '../../core/errors.js';
import type { BootServerDeps } from '../deps.js';

/** send's (private, stable since 0.x) body step: the file and the inclusive byte range it settled on. */
type StreamMethod = (path: string, range: { start: number; end: number }) => void;

/**
 * `GET /files/*`: ARTIFACTS_DIR (wimboot, boot.wim, install.wim, kernels) with Range, If-Range,
 * conditional GET and HEAD, streamed by `send` (the engine under express.static). Paths that climb
 * out of the folder are refused by `send`; dotfiles and folders are 404. The body goes out through
 * sendfile(2) where the addon is built (boot-server/file-body.ts).
 */
export function filesRoute(router: Router, { core, fileBody }: BootServerDeps): void {
  const root = resolve(core.config.ARTIFACTS_DIR);
  router.get('/files/(.*)', async (ctx) => {
    // The raw (still encoded) path: send decodes it once itself.
    const path = ctx.path.slice('/files'.length);
    const stream = send(ctx.req, path, {
      root,
      index: false,
      dotfiles: 'ignore',
      maxAge: 0,
      immutable: false,
    });
    // send decides everything up to the body (path checks, 304/412/416, Range, HEAD, headers) and then
    // calls its `stream` method; the body is written by fileBody (sendfile, or reused buffers) instead
    // of a read stream.
    (stream as unknown as { stream: StreamMethod }).stream = (file, range) => {
      // send's `end` is never below `start`, even for an empty file; the length it announced is exact.
      const length = Number(ctx.res.getHeader('Content-Length'));
      void fileBody.write(ctx.res, file, range.start, range.start + length - 1);
    };
    await new Promise<void>((done, fail) => {
      stream.on('directory', () => {
        ctx.respond = true;
        fail(new NotFoundError('not found'));
      });
      stream.on('error', (error: Error) => {
        if (ctx.res.headersSent) {
          ctx.res.destroy(error);
          done();
          return;
        }
        ctx.respond = true;
        fail(asAppError(error));
      });
      ctx.res.once('close', () => done());
      // send writes the response itself (206, 304, HEAD) and leaves 200 to the default, which Koa
      // set to 404; Koa must stay out of it afterwards.
      ctx.status = 200;
      ctx.respond = false;
      stream.pipe(ctx.res);
    });
  });
}

/** send's errors carry an HTTP status but are not marked as showable; say plainly what happened. */
function asAppError(error: Error): Error {
  const status = (error as { status?: number }).status ?? 500;
  if (status === 404) return new NotFoundError('not found');
  if (status === 416)
    return new AppError('files:range-not-satisfiable', 'the requested range is not satisfiable', 416);
  if (status === 412) return new AppError('files:precondition-failed', 'precondition failed', 412);
  if (status >= 400 && status < 500) return new AppError('files:refused', 'request refused', status);
  return error;
}

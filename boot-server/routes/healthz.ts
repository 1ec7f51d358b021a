import type Router from '@koa/router';
import type { BootServerDeps } from '../deps.js';

const TIMEOUT_MS = 2000;

/** `GET /healthz`: 200 when Postgres and Redis both answer within two seconds, 503 otherwise. */
export function healthzRoute(router: Router, { core, pingRedis }: BootServerDeps): void {
  router.get('/healthz', async (ctx) => {
    const [postgres, redis] = await Promise.all([
      withTimeout(
        core.orm.em
          .fork()
          .getConnection()
          .execute('select 1')
          .then(() => true),
      ),
      withTimeout(pingRedis()),
    ]);
    ctx.status = postgres && redis ? 200 : 503;
    ctx.set('Cache-Control', 'no-store');
    ctx.body = { status: postgres && redis ? 'ok' : 'unavailable', postgres: up(postgres), redis: up(redis) };
  });
}

const up = (ok: boolean) => (ok ? 'up' : 'down');

function withTimeout(check: Promise<boolean>): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((done) => {
    timer = setTimeout(() => done(false), TIMEOUT_MS);
  });
  return Promise.race([check.catch(() => false), timeout]).finally(() => clearTimeout(timer));
}

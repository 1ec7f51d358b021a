import type Router from '@koa/router';
import type { BootServerDeps } from '../deps.js';

const TIMEOUT_MS = 2000;

interface Health {
  postgres: boolean;
  redis: boolean;
}

/**
 * `GET /healthz`: 200 when Postgres and Redis both answer within two seconds, 503 otherwise. Requests
 * that arrive while a check is running share its answer (a rack of WinPE clients polling at once costs
 * one check, not one each); every request after it starts a fresh one.
 */
export function healthzRoute(router: Router, { core, pingRedis }: BootServerDeps): void {
  let running: Promise<Health> | null = null;
  const check = async (): Promise<Health> => {
    const [postgres, redis] = await Promise.all([
      withTimeout(core.sql.query('select 1').then(() => true)),
      withTimeout(pingRedis()),
    ]);
    return { postgres, redis };
  };
  router.get('/healthz', async (ctx) => {
    running ??= check().finally(() => {
      running = null;
    });
    const { postgres, redis } = await running;
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

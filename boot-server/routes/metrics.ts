import type Router from '@koa/router';
import type { BootServerDeps } from '../deps.js';

/** `GET /metrics` (admin listener): the process's Prometheus registry in text exposition format. */
export function metricsRoute(router: Router, { registry }: BootServerDeps): void {
  router.get('/metrics', async (ctx) => {
    ctx.type = registry.contentType;
    ctx.body = await registry.metrics();
  });
}

import Router from '@koa/router';
import Koa from 'koa';
import { deploymentsApi } from './api/deployments.js';
import { imagesApi } from './api/images.js';
import { machinesApi } from './api/machines.js';
import { systemsApi } from './api/systems.js';
import type { BootServerDeps } from './deps.js';
import { accessLog } from './middleware/access-log.js';
import { type AdminMount, adminMounts } from './middleware/admin-mounts.js';
import { bearerAuth } from './middleware/bearer-auth.js';
import { errorHandler } from './middleware/error-handler.js';
import { metricsRoute } from './routes/metrics.js';

/**
 * The admin listener: the REST API and /metrics behind `Authorization: Bearer $API_TOKEN`, plus raw
 * mounts (Slack's receiver) that bring their own authentication.
 */
export function createAdminApp(deps: BootServerDeps, mounts: AdminMount[]): { app: Koa; router: Router } {
  const logger = deps.core.logger.child({ component: 'admin-api' });
  const app = new Koa();
  const router = new Router();
  deploymentsApi(router, deps);
  imagesApi(router, deps);
  systemsApi(router, deps);
  machinesApi(router, deps);
  metricsRoute(router, deps);
  app.use(accessLog(logger, deps.metrics, 'admin'));
  app.use(adminMounts(mounts));
  app.use(errorHandler(logger));
  app.use(bearerAuth(deps.core.config.API_TOKEN));
  app.use(router.routes());
  app.use(router.allowedMethods());
  app.on('error', (error) => logger.warn({ err: error }, 'connection error'));
  return { app, router };
}

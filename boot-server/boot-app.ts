import Router from '@koa/router';
import Koa from 'koa';
import type { BootServerDeps } from './deps.js';
import { accessLog } from './middleware/access-log.js';
import { errorHandler } from './middleware/error-handler.js';
import { artifactsRoute } from './routes/artifacts.js';
import { bootIpxeRoute } from './routes/boot-ipxe.js';
import { bootReportRoute } from './routes/boot-report.js';
import { callbacksRoute } from './routes/callbacks.js';
import { filesRoute } from './routes/files.js';
import { healthzRoute } from './routes/healthz.js';
import { localBootRoute } from './routes/local-boot.js';
import { machineGrubRoute } from './routes/machine-grub.js';
import { machineIpxeRoute } from './routes/machine-ipxe.js';

/** The public listener: what PXE clients and installers reach. Only boot routes and /healthz. */
export function createBootApp(deps: BootServerDeps): { app: Koa; router: Router } {
  const logger = deps.core.logger.child({ component: 'boot-server' });
  const app = new Koa();
  const router = new Router();
  bootIpxeRoute(router, deps);
  machineIpxeRoute(router, deps);
  machineGrubRoute(router, deps);
  artifactsRoute(router, deps);
  callbacksRoute(router, deps);
  bootReportRoute(router, deps);
  filesRoute(router, deps);
  localBootRoute(router, deps);
  healthzRoute(router, deps);
  app.use(accessLog(logger, deps.metrics, 'boot'));
  app.use(errorHandler(logger));
  app.use(router.routes());
  app.use(router.allowedMethods());
  app.on('error', (error) => logger.warn({ err: error }, 'connection error'));
  return { app, router };
}

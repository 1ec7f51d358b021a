import type { RequestListener } from 'node:http';
import Router from '@koa/router';
import Koa from 'koa';
import type { BootServerDeps } from './deps.js';
import { withHotPath } from './hot-path.js';
import { createEntryScript } from './ipxe/entry-script.js';
import { accessLog } from './middleware/access-log.js';
import { errorHandler } from './middleware/error-handler.js';
import { createRequestRecorder } from './middleware/request-recorder.js';
import { artifactsRoute } from './routes/artifacts.js';
import { bootIpxeRoute } from './routes/boot-ipxe.js';
import { bootReportRoute } from './routes/boot-report.js';
import { callbacksRoute } from './routes/callbacks.js';
import { filesRoute } from './routes/files.js';
import { healthzRoute } from './routes/healthz.js';
import { localBootRoute } from './routes/local-boot.js';
import { machineGrubRoute } from './routes/machine-grub.js';
import { machineIpxeRoute } from './routes/machine-ipxe.js';

/**
 * The public listener: what PXE clients and installers reach. Only boot routes and /healthz. `handler` is
 * what the listener runs: the entry script's hot path in front of the Koa app ({@link withHotPath}).
 */
export function createBootApp(deps: BootServerDeps): { app: Koa; router: Router; handler: RequestListener } {
  const logger = deps.core.logger.child({ component: 'boot-server' });
  const app = new Koa();
  const router = new Router();
  // One rendering of the entry script per template set, for the hot path and the route alike.
  const entryScript = createEntryScript(deps);
  bootIpxeRoute(router, entryScript);
  machineIpxeRoute(router, deps);
  machineGrubRoute(router, deps);
  artifactsRoute(router, deps);
  callbacksRoute(router, deps);
  bootReportRoute(router, deps);
  filesRoute(router, deps);
  localBootRoute(router, deps);
  healthzRoute(router, deps);
  const record = createRequestRecorder(logger, deps.metrics, 'boot');
  app.use(accessLog(record));
  app.use(errorHandler(logger));
  app.use(router.routes());
  app.use(router.allowedMethods());
  app.on('error', (error) => logger.warn({ err: error }, 'connection error'));
  return { app, router, handler: withHotPath(app.callback(), entryScript, record) };
}

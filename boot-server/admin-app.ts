import Router from '@koa/router';
import Koa from 'koa';
import { createSessionStore } from '../core/dashboard/session-store.js';
import { createEventFeed, type EventFeedOptions } from '../core/deployments/event-feed.js';
import { batchesApi } from './api/batches.js';
import { deploymentsApi } from './api/deployments.js';
import { type EventStreamOptions, eventStreamApi } from './api/event-stream.js';
import { imagesApi } from './api/images.js';
import { machinesApi } from './api/machines.js';
import { profilesApi } from './api/profiles.js';
import { systemsApi } from './api/systems.js';
import { templatesApi } from './api/templates.js';
import { assetsRoute } from './dashboard/assets-route.js';
import { loginRoutes } from './dashboard/login-routes.js';
import { createLoginThrottle, type LoginThrottleOptions } from './dashboard/login-throttle.js';
import { dashboardPages } from './dashboard/pages.js';
import { createDashboardViews } from './dashboard/views.js';
import type { BootServerDeps } from './deps.js';
import { accessLog } from './middleware/access-log.js';
import { adminAuth } from './middleware/admin-auth.js';
import { type AdminMount, adminMounts } from './middleware/admin-mounts.js';
import { errorHandler } from './middleware/error-handler.js';
import { createRequestRecorder } from './middleware/request-recorder.js';
import { securityHeaders } from './middleware/security-headers.js';
import { metricsRoute } from './routes/metrics.js';

export interface AdminAppOptions {
  /** Live stream tuning (tests shorten the heartbeat). */
  stream?: EventStreamOptions;
  /** Live feed tuning (tests lengthen the safety-net poll to prove notifications alone suffice). */
  feed?: EventFeedOptions;
  /** Sign-in rate limit per address. @defaultValue 5 wrong tokens per 15 minutes */
  loginThrottle?: LoginThrottleOptions;
}

/**
 * The admin listener: the REST API and /metrics behind `Authorization: Bearer $API_TOKEN`, the dashboard
 * (`/`, `/login`; session cookie + CSRF token, which the API accepts too), the live event stream, plus
 * raw mounts (Slack's receiver) that bring their own authentication.
 */
export function createAdminApp(
  deps: BootServerDeps,
  mounts: AdminMount[],
  opts: AdminAppOptions = {},
): { app: Koa; router: Router; close(): Promise<void> } {
  const { config } = deps.core;
  const logger = deps.core.logger.child({ component: 'admin-api' });
  const app = new Koa();
  // Behind a TLS proxy: ctx.secure (cookie `Secure`) and ctx.ip (rate limits) come from X-Forwarded-*.
  app.proxy = config.TRUST_PROXY;
  const router = new Router();
  const sessions = createSessionStore(deps.core.orm);
  const feed = createEventFeed(deps.core, opts.feed);
  const views = createDashboardViews();
  deploymentsApi(router, deps);
  batchesApi(router, deps);
  imagesApi(router, deps);
  systemsApi(router, deps);
  machinesApi(router, deps);
  eventStreamApi(router, feed, opts.stream);
  templatesApi(router, deps);
  profilesApi(router, deps);
  metricsRoute(router, deps);
  assetsRoute(router);
  loginRoutes(router, {
    apiToken: config.API_TOKEN,
    sessions,
    throttle: createLoginThrottle(opts.loginThrottle),
    views,
    sessionMs: config.DASHBOARD_SESSION_HOURS * 3600_000,
  });
  dashboardPages(router, { deps, views, feed });
  app.use(accessLog(createRequestRecorder(logger, deps.metrics, 'admin')));
  app.use(adminMounts(mounts));
  app.use(errorHandler(logger));
  app.use(securityHeaders);
  app.use(adminAuth({ apiToken: config.API_TOKEN, sessions }));
  app.use(router.routes());
  app.use(router.allowedMethods());
  app.on('error', (error) => logger.warn({ err: error }, 'connection error'));
  return { app, router, close: () => feed.close() };
}

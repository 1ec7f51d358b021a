import type Router from '@koa/router';
import type { Context } from 'koa';
import type { ActiveSession } from '../../core/dashboard/session-store.js';
import type { EventFeed } from '../../core/deployments/event-feed.js';
import { isAppError } from '../../core/errors.js';
import { OsImage } from '../../core/images/os-image.entity.js';
import { System } from '../../core/systems/system.entity.js';
import type { BootServerDeps } from '../deps.js';
import { type DeploymentModel, loadDeployment } from './deployment-model.js';
import { loadMachines } from './machines-model.js';
import { loadQueue } from './queue-model.js';
import type { DashboardViews, LayoutModel } from './views.js';

/**
 * The navigation, in order. A new view (machines, batches, templates) is one entry here, one loader and
 * one `views/<name>.hbs`: see {@link dashboardPages}.
 */
export const NAV = [
  { path: '/', title: 'Queue' },
  { path: '/machines', title: 'Machines' },
  { path: '/systems', title: 'Systems' },
  { path: '/images', title: 'Images' },
];

export interface PageDeps {
  deps: BootServerDeps;
  views: DashboardViews;
  feed: EventFeed;
}

/**
 * The dashboard's pages. Each answers the whole page, or with `?fragment=1` only the part live updates
 * replace (the same partial the page embeds, so the two cannot drift apart).
 */
export function dashboardPages(router: Router, { deps, views, feed }: PageDeps): void {
  const { core } = deps;

  /** Renders a page for a signed-in browser; anyone else is sent to the sign-in form. */
  const page =
    <M extends object>(
      opts: { view: string; fragment?: string; current: string; title: (model: M) => string },
      load: (ctx: Context) => Promise<M>,
    ) =>
    async (ctx: Context) => {
      const session = ctx.state.session as ActiveSession | undefined;
      if (!session) return ctx.redirect('/login');
      ctx.set('Cache-Control', 'no-store');
      ctx.type = 'html';
      try {
        // Read the resume position first: an event between it and the page's own reads is sent again,
        // never lost.
        const lastEventId = await feed.latestId();
        const model = await load(ctx);
        if (ctx.query.fragment && opts.fragment) {
          ctx.body = views.fragment(opts.fragment, model);
          return;
        }
        const layout: LayoutModel = {
          title: opts.title(model),
          current: opts.current,
          session: { actorName: session.actorName, csrfToken: session.csrfToken },
          nav: NAV,
          lastEventId,
        };
        ctx.body = views.page(opts.view, model, layout);
      } catch (error) {
        if (!isAppError(error) || !error.expose || error.status >= 500) throw error;
        ctx.status = error.status;
        const layout: LayoutModel = {
          title: 'Not found',
          current: '',
          session: { actorName: session.actorName, csrfToken: session.csrfToken },
          nav: NAV,
          lastEventId: '0',
        };
        ctx.body = views.page('error', { status: error.status, message: error.message }, layout);
      }
    };

  router.get(
    '/',
    page({ view: 'queue', fragment: 'queue-board', current: '/', title: () => 'Queue' }, () =>
      loadQueue(core),
    ),
  );

  router.get(
    '/deployments/:id',
    page(
      {
        view: 'deployment',
        fragment: 'deployment-detail',
        current: '/',
        title: (m: DeploymentModel) => `#${m.d.id} ${m.d.hostname}`,
      },
      (ctx) => {
        const raw = String(ctx.params.id);
        return loadDeployment(deps, /^\d{1,10}$/.test(raw) ? Number(raw) : 0);
      },
    ),
  );

  router.get(
    '/machines',
    page({ view: 'machines', current: '/machines', title: () => 'Machines' }, () => loadMachines(core)),
  );

  router.get(
    '/systems',
    page({ view: 'systems', current: '/systems', title: () => 'Systems' }, async () => {
      const [items, total] = await core.orm.em
        .fork()
        .findAndCount(System, {}, { orderBy: { lastDeployedAt: 'desc', id: 'desc' }, limit: 500 });
      return { items, total, truncated: total > items.length };
    }),
  );

  router.get(
    '/images',
    page({ view: 'images', current: '/images', title: () => 'Images' }, async () => {
      const items = await core.orm.em.fork().find(OsImage, {}, { orderBy: { id: 'asc' } });
      return {
        items: items.map((i) => ({
          id: i.id,
          name: i.name,
          family: i.family,
          method: i.boot.method,
          editions: Object.keys(i.editions ?? {}).join(', '),
          defaultEdition: i.defaultEdition,
          source: i.source,
          updatedAt: i.updatedAt,
        })),
      };
    }),
  );
}

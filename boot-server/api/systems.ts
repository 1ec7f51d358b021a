import type Router from '@koa/router';
import { z } from 'zod';
import { NotFoundError } from '../../core/errors.js';
import { parseMac } from '../../core/mac.js';
import { System } from '../../core/systems/system.entity.js';
import type { BootServerDeps } from '../deps.js';
import { type Paged, pageQuery, parseQuery } from './pagination.js';
import { systemJson } from './serialize.js';

const listQuery = pageQuery.extend({ os: z.string().max(64).optional() });

/** `/api/v1/systems`: the registry of machines that completed a deployment, newest first. */
export function systemsApi(router: Router, { core }: BootServerDeps): void {
  router.get('/api/v1/systems', async (ctx) => {
    const q = parseQuery(listQuery, ctx.query);
    const [items, total] = await core.orm.em.fork().findAndCount(System, q.os ? { os: q.os } : {}, {
      orderBy: { lastDeployedAt: 'desc', id: 'desc' },
      limit: q.limit,
      offset: q.offset,
    });
    ctx.body = {
      items: items.map(systemJson),
      total,
      limit: q.limit,
      offset: q.offset,
    } satisfies Paged<unknown>;
  });

  /** By MAC in any notation. */
  router.get('/api/v1/systems/:mac', async (ctx) => {
    const mac = parseMac(ctx.params.mac!);
    const system = await core.orm.em.fork().findOne(System, { mac });
    if (!system) throw new NotFoundError(`no system with MAC ${mac}`, 'system:not-found');
    ctx.body = systemJson(system);
  });
}

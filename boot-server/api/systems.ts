import type Router from '@koa/router';
import { z } from 'zod';
import { NotFoundError } from '../../core/errors.js';
import { parseMac } from '../../core/mac.js';
import { Machine } from '../../core/machines/machine.entity.js';
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
    const names = await machineNames(core, items);
    ctx.body = {
      items: items.map((s) => systemJson(s, names.get(s.machineId ?? 0) ?? null)),
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
    const names = await machineNames(core, [system]);
    ctx.body = systemJson(system, names.get(system.machineId ?? 0) ?? null);
  });
}

/** Names of the machines the systems are linked to, by machine id. */
async function machineNames(core: BootServerDeps['core'], systems: System[]): Promise<Map<number, string>> {
  const ids = [...new Set(systems.map((s) => s.machineId).filter((id): id is number => id !== null))];
  if (!ids.length) return new Map();
  const found = await core.orm.em.fork().find(Machine, { id: { $in: ids } }, { fields: ['id', 'name'] });
  return new Map(found.map((m) => [m.id, m.name]));
}

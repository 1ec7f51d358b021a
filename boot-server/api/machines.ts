import type Router from '@koa/router';
import { z } from 'zod';
import type { Machine } from '../../core/machines/machine.entity.js';
import type { MachineService } from '../../core/machines/machine-service.js';
import { POWER_ACTIONS } from '../../core/power/power-action.entity.js';
import type { BootServerDeps } from '../deps.js';
import { deciderOf } from './deployments.js';
import { jsonBody, parseBody } from './json-body.js';
import { type Paged, pageQuery, parseQuery } from './pagination.js';
import { acceptReadOnlyFields } from './read-only-fields.js';

const listQuery = pageQuery.extend({
  limit: z.coerce.number().int().min(1).max(500).default(100),
  tag: z.string().max(32).optional(),
});
/** What a GET shows that a PUT does not set: the name is the path's, `has*` say whether secrets are stored. */
const MACHINE_READ_ONLY = ['name', 'createdAt', 'updatedAt'] as const;
const BMC_READ_ONLY = ['hasPassword', 'hasSecret'] as const;
const powerBody = z.object({ action: z.enum(POWER_ACTIONS) }).strict();

/**
 * A machine as the API shows it: its BMC without secrets, `hasPassword`/`hasSecret` instead (the
 * stored values are never returned).
 */
export async function machineJson(machines: MachineService, m: Machine) {
  let bmc: Record<string, unknown> | null = null;
  if (m.bmc) {
    const has = await machines.hasSecrets(m);
    const { driver, address, username, systemId, verifyTls, auth, cipherSuite } = m.bmc;
    bmc = { driver };
    if (driver !== 'manual') Object.assign(bmc, { address });
    if (driver === 'redfish')
      Object.assign(bmc, { username, systemId, verifyTls, auth, hasPassword: has.password });
    if (driver === 'ipmi') Object.assign(bmc, { username, cipherSuite, hasPassword: has.password });
    if (driver === 'webhook') Object.assign(bmc, { verifyTls, hasSecret: has.secret });
  }
  return {
    name: m.name,
    mac: m.mac,
    bmc,
    bootMode: m.bootMode,
    profile: m.profile,
    disk: m.disk,
    tags: m.tags,
    createdAt: m.createdAt,
    updatedAt: m.updatedAt,
  };
}

/**
 * `/api/v1/machines`: the inventory (create or replace by name, list by tag, read, remove) and
 * `POST …/:name/power`. Holding API_TOKEN makes a caller an approver, as for decisions.
 */
export function machinesApi(router: Router, { core }: BootServerDeps): void {
  const { machines } = core;

  router.get('/api/v1/machines', async (ctx) => {
    const q = parseQuery(listQuery, ctx.query);
    const { items, total } = await machines
      .repository()
      .list({ tag: q.tag, limit: q.limit, offset: q.offset });
    ctx.body = {
      items: await Promise.all(items.map((m) => machineJson(machines, m))),
      total,
      limit: q.limit,
      offset: q.offset,
    } satisfies Paged<unknown>;
  });

  router.get('/api/v1/machines/:name', async (ctx) => {
    ctx.body = await machineJson(machines, await machines.repository().get(ctx.params.name!));
  });

  router.put('/api/v1/machines/:name', jsonBody, async (ctx) => {
    // GET → edit → PUT works: the server's own fields may come back unchanged (./read-only-fields.ts).
    const existing = await machines.repository().findByName(ctx.params.name!);
    const current = existing ? await machineJson(machines, existing) : null;
    const body = acceptReadOnlyFields(ctx.request.body, current, MACHINE_READ_ONLY);
    const bmc = (body as { bmc?: unknown } | null)?.bmc;
    if (bmc && typeof bmc === 'object')
      (body as { bmc: unknown }).bmc = acceptReadOnlyFields(bmc, current?.bmc ?? null, BMC_READ_ONLY);
    const { machine, created } = await machines.put(ctx.params.name!, body);
    ctx.status = created ? 201 : 200;
    if (created) ctx.set('Location', `/api/v1/machines/${encodeURIComponent(machine.name)}`);
    ctx.body = await machineJson(machines, machine);
  });

  router.delete('/api/v1/machines/:name', async (ctx) => {
    await machines.remove(ctx.params.name!);
    ctx.status = 204;
  });

  router.post('/api/v1/machines/:name/power', jsonBody, async (ctx) => {
    const { action } = parseBody(powerBody, ctx.request.body);
    ctx.body = await core.power.request(ctx.params.name!, action, deciderOf(ctx), { approver: true });
  });
}

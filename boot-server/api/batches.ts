import type Router from '@koa/router';
import { z } from 'zod';
import type { Batch } from '../../core/batches/batch.entity.js';
import { BatchRepository } from '../../core/batches/batch-repository.js';
import { batchCounts, batchStatus } from '../../core/batches/batch-status.js';
import type { Actor } from '../../core/deployments/deployment.entity.js';
import { NotFoundError } from '../../core/errors.js';
import type { BootServerDeps } from '../deps.js';
import { API_ACTOR } from './deployments.js';
import { jsonBody, oneLine, parseBody } from './json-body.js';
import { decisionJson, deploymentJson } from './serialize.js';

const requester = z
  .string()
  .regex(
    /^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$/,
    'must start with a letter or digit and hold letters, digits, . _ @ - (1–64)',
  );

const decisionBody = z.object({ reason: oneLine(500).optional() }).strict();

function batchId(raw: string): number {
  if (!/^\d{1,10}$/.test(raw))
    throw new NotFoundError(`batch #${raw.slice(0, 12)} does not exist`, 'batch:not-found');
  return Number(raw);
}

/** A batch with its derived status, counts by state and its members. */
async function batchJson(repo: BatchRepository, batch: Batch, full: boolean) {
  const members = await repo.members(batch.id);
  return {
    id: batch.id,
    status: batchStatus(members),
    os: batch.os,
    edition: batch.edition,
    profile: batch.profile,
    requestedBy: batch.requestedBy,
    size: batch.size,
    createdAt: batch.createdAt,
    counts: batchCounts(members),
    deployments: members.map((d) =>
      full ? deploymentJson(d) : { id: d.id, mac: d.mac, hostname: d.hostname, status: d.status },
    ),
    ...(full ? { decisions: (await repo.decisions(batch.id)).map(decisionJson) } : {}),
  };
}

/**
 * `/api/v1/batches`: create several deployments at once (all or nothing), get one with counts by state,
 * approve, reject or cancel all of its members with one decision.
 */
export function batchesApi(router: Router, { core }: BootServerDeps): void {
  const service = core.batches;
  const repo = () => new BatchRepository(core.orm.em.fork());

  router.post('/api/v1/batches', jsonBody, async (ctx) => {
    const body = (ctx.request.body ?? {}) as Record<string, unknown>;
    const { requestedBy, ...request } = body;
    const name = requestedBy === undefined ? 'api' : parseBody(requester, requestedBy);
    const actor: Actor = { platform: 'api', id: 'api-request', name };
    const { batch, deployments } = await service.create(request, actor);
    const passwords = new Map(deployments.map((d) => [d.deployment.id, d.password]));
    const json = await batchJson(repo(), batch, false);
    ctx.status = 201;
    ctx.set('Location', `/api/v1/batches/${batch.id}`);
    // Generated passwords are shown once, to whoever holds the API token (like a single deployment's).
    ctx.body = {
      ...json,
      deployments: json.deployments.map((d) => ({ ...d, password: passwords.get(d.id) ?? null })),
    };
  });

  router.get('/api/v1/batches/:id', async (ctx) => {
    const r = repo();
    ctx.body = await batchJson(r, await r.get(batchId(ctx.params.id!)), true);
  });

  router.post('/api/v1/batches/:id/approve', jsonBody, async (ctx) => {
    parseBody(z.object({}).strict(), ctx.request.body);
    const batch = await service.approve(batchId(ctx.params.id!), API_ACTOR, { approver: true });
    ctx.body = await batchJson(repo(), batch, false);
  });

  for (const verdict of ['reject', 'cancel'] as const) {
    router.post(`/api/v1/batches/:id/${verdict}`, jsonBody, async (ctx) => {
      const { reason } = parseBody(decisionBody, ctx.request.body);
      const batch = await service[verdict](batchId(ctx.params.id!), API_ACTOR, { approver: true }, reason);
      ctx.body = await batchJson(repo(), batch, false);
    });
  }
}

import type Router from '@koa/router';
import type { Context } from 'koa';
import { z } from 'zod';
import type { ActiveSession } from '../../core/dashboard/session-store.js';
import { deployRequestInput } from '../../core/deployments/deploy-request.js';
import type { Actor } from '../../core/deployments/deployment.entity.js';
import { ALL_STATES, type DeploymentState } from '../../core/deployments/lifecycle.js';
import { NotFoundError } from '../../core/errors.js';
import type { BootServerDeps } from '../deps.js';
import { jsonBody, oneLine, parseBody } from './json-body.js';
import { type Paged, pageQuery, parseQuery } from './pagination.js';
import { decisionJson, deploymentJson, eventJson } from './serialize.js';

/**
 * Who decides through the API. Holding API_TOKEN makes a caller an approver; the self-approval rule
 * separates people in chat, so API requests are filed under a different actor id than API decisions.
 */
export const API_ACTOR: Actor = { platform: 'api', id: 'api', name: 'api' };

/**
 * Who decides from a dashboard session: the name given at sign-in, on platform `web`. Requests and
 * decisions share the id, so the self-approval rule separates dashboard users as it does chat users.
 */
export function webActor(session: ActiveSession): Actor {
  return { platform: 'web', id: `web:${session.actorName}`, name: session.actorName };
}

/** Who decides in a request: its dashboard session, or the API token holder. */
export function deciderOf(ctx: Context): Actor {
  const session = ctx.state.session as ActiveSession | undefined;
  return session ? webActor(session) : API_ACTOR;
}

// The request as chat takes it (one schema in core), plus who to show as the requester. A machine of
// the inventory may stand in for the MAC.
const createBody = deployRequestInput
  .extend({
    mac: deployRequestInput.shape.mac.optional(),
    /** Shown as the requester in chat; `api` by default. */
    requestedBy: z
      .string()
      .regex(
        /^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$/,
        'must start with a letter or digit and hold letters, digits, . _ @ - (1–64)',
      )
      .optional(),
  })
  .strict()
  .refine((b) => b.mac !== undefined || b.machine !== undefined, {
    message: 'mac or machine is required (e.g. "mac":"52:54:00:12:34:56" or "machine":"web01")',
    path: ['mac'],
  });

const decisionBody = z.object({ reason: oneLine(500).optional() }).strict();

const listQuery = pageQuery.extend({
  status: z
    .string()
    .optional()
    .transform((v) => (v ? v.split(',').map((s) => s.trim()) : []))
    .pipe(z.array(z.enum(ALL_STATES))),
});

function deploymentId(raw: string): number {
  if (!/^\d{1,10}$/.test(raw))
    throw new NotFoundError(`deployment #${raw.slice(0, 12)} does not exist`, 'deploy:not-found');
  return Number(raw);
}

/** `/api/v1/deployments`: list, create, get with events and decisions, approve, reject, cancel. */
export function deploymentsApi(router: Router, { core }: BootServerDeps): void {
  const service = core.deployments;

  router.get('/api/v1/deployments', async (ctx) => {
    const q = parseQuery(listQuery, ctx.query);
    const { items, total } = await service
      .repository()
      .list({ states: q.status as DeploymentState[], limit: q.limit, offset: q.offset });
    ctx.body = {
      items: items.map(deploymentJson),
      total,
      limit: q.limit,
      offset: q.offset,
    } satisfies Paged<unknown>;
  });

  router.post('/api/v1/deployments', jsonBody, async (ctx) => {
    const { requestedBy, ...request } = parseBody(createBody, ctx.request.body);
    const session = ctx.state.session as ActiveSession | undefined;
    const actor: Actor = session
      ? webActor(session)
      : { platform: 'api', id: 'api-request', name: requestedBy ?? 'api' };
    const { deployment, password } = await service.request(request, actor);
    ctx.status = 201;
    ctx.set('Location', `/api/v1/deployments/${deployment.id}`);
    // The generated password is shown once, to whoever holds the API token (like the requester's DM).
    ctx.body = { ...deploymentJson(await service.repository().get(deployment.id)), password };
  });

  router.get('/api/v1/deployments/:id', async (ctx) => {
    const repo = service.repository();
    const id = deploymentId(ctx.params.id!);
    const deployment = await repo.get(id);
    const [events, decisions] = await Promise.all([repo.events(id), repo.decisions(id)]);
    ctx.body = {
      ...deploymentJson(deployment),
      events: events.map(eventJson),
      decisions: decisions.map(decisionJson),
    };
  });

  router.post('/api/v1/deployments/:id/approve', jsonBody, async (ctx) => {
    parseBody(z.object({}).strict(), ctx.request.body);
    const deployment = await service.approve(deploymentId(ctx.params.id!), deciderOf(ctx), {
      approver: true,
    });
    ctx.body = deploymentJson(deployment);
  });

  for (const verdict of ['reject', 'cancel'] as const) {
    router.post(`/api/v1/deployments/:id/${verdict}`, jsonBody, async (ctx) => {
      const { reason } = parseBody(decisionBody, ctx.request.body);
      const deployment = await service[verdict](
        deploymentId(ctx.params.id!),
        deciderOf(ctx),
        { approver: true },
        reason,
      );
      ctx.body = deploymentJson(deployment);
    });
  }
}

import type Router from '@koa/router';
import type { HardwareProfile } from '../../core/profiles/hardware-profile.entity.js';
import type { BootServerDeps } from '../deps.js';
import { jsonBody } from './json-body.js';
import { acceptReadOnlyFields } from './read-only-fields.js';

/** Fields GET answers with that a PUT may send back unchanged (the round-trip rule). */
const READ_ONLY = ['name', 'source', 'createdAt', 'updatedAt'] as const;

/**
 * `/api/v1/profiles`: hardware profiles as data. `auto` walks them by priority, each one's `match` rules
 * in order; adding VMware, Nutanix or OpenStack is a PUT. DELETE removes an operator's profile or turns
 * a built-in back into its shipped definition.
 */
export function profilesApi(router: Router, { core }: BootServerDeps): void {
  const repo = () => core.profiles.repository();

  router.get('/api/v1/profiles', async (ctx) => {
    ctx.body = { items: (await repo().list()).map(profileJson) };
  });

  router.get('/api/v1/profiles/:name', async (ctx) => {
    ctx.body = profileJson(await repo().get(ctx.params.name!));
  });

  router.put('/api/v1/profiles/:name', jsonBody, async (ctx) => {
    const name = ctx.params.name!;
    const current = await repo()
      .get(name)
      .then(profileJson)
      .catch(() => null);
    const { profile, created } = await repo().put(
      name,
      acceptReadOnlyFields(ctx.request.body, current, READ_ONLY),
    );
    ctx.status = created ? 201 : 200;
    ctx.body = profileJson(profile);
  });

  router.delete('/api/v1/profiles/:name', async (ctx) => {
    const left = await repo().delete(ctx.params.name!);
    if (left) ctx.body = profileJson(left);
    else ctx.status = 204;
  });
}

function profileJson(p: HardwareProfile) {
  return {
    name: p.name,
    priority: p.priority,
    match: p.match,
    windowsDrivers: p.windowsDrivers,
    kernelArgs: p.kernelArgs,
    serialConsole: p.serialConsole,
    source: p.source,
    createdAt: p.createdAt,
    updatedAt: p.updatedAt,
  };
}

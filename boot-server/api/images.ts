import type Router from '@koa/router';
import type { OsImage } from '../../core/images/os-image.entity.js';
import type { BootServerDeps } from '../deps.js';
import { checkImageForApi } from './image-checks.js';
import { jsonBody } from './json-body.js';
import { type Paged, pageQuery, parseQuery } from './pagination.js';
import { acceptReadOnlyFields } from './read-only-fields.js';
import { imageJson } from './serialize.js';

/**
 * `/api/v1/images`: the OS catalog. Images created or replaced here belong to the operator; later seeds
 * from catalog.yaml leave them alone. Deleting an image an active deployment uses is a 409.
 */
/** What the server sets on an image: accepted back unchanged, refused when changed. */
export const IMAGE_READ_ONLY = ['id', 'source', 'createdAt', 'updatedAt'] as const;

export function imagesApi(router: Router, { core }: BootServerDeps): void {
  const images = () => core.deployments.images();
  const check = (body: unknown) => checkImageForApi(body, { config: core.config, templates: core.templates });
  const withReadiness = async (image: OsImage) => imageJson(image, await core.deployments.readiness(image));

  router.get('/api/v1/images', async (ctx) => {
    const q = parseQuery(pageQuery, ctx.query);
    const all = await images().list();
    ctx.body = {
      items: await Promise.all(all.slice(q.offset, q.offset + q.limit).map(withReadiness)),
      total: all.length,
      limit: q.limit,
      offset: q.offset,
    } satisfies Paged<unknown>;
  });

  router.post('/api/v1/images', jsonBody, async (ctx) => {
    // The id is the client's to choose on create; the other server-owned fields are dropped.
    const body = acceptReadOnlyFields(withoutReadiness(ctx.request.body), null, IMAGE_READ_ONLY.slice(1));
    check(body);
    const image = await images().create(body);
    ctx.status = 201;
    ctx.set('Location', `/api/v1/images/${image.id}`);
    ctx.body = imageJson(image);
  });

  router.get('/api/v1/images/:id', async (ctx) => {
    ctx.body = await withReadiness(await images().get(ctx.params.id!));
  });

  router.put('/api/v1/images/:id', jsonBody, async (ctx) => {
    const current = imageJson(await images().get(ctx.params.id!));
    const body = {
      ...(acceptReadOnlyFields(withoutReadiness(ctx.request.body), current, IMAGE_READ_ONLY) as object),
      id: current.id,
    };
    check(body);
    ctx.body = imageJson(await images().update(ctx.params.id!, body));
  });

  router.delete('/api/v1/images/:id', async (ctx) => {
    await images().delete(ctx.params.id!);
    ctx.status = 204;
  });
}

/**
 * `readiness` is computed on every read (its `checkedAt` moves), never stored: dropped rather than
 * compared, so an image read with GET may be sent back with PUT as it is.
 */
function withoutReadiness(body: unknown): unknown {
  if (!body || typeof body !== 'object' || Array.isArray(body)) return body;
  const { readiness: _readiness, ...rest } = body as Record<string, unknown>;
  return rest;
}

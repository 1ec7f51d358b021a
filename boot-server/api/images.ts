import type Router from '@koa/router';
import type { BootServerDeps } from '../deps.js';
import { checkImageForApi } from './image-checks.js';
import { jsonBody } from './json-body.js';
import { type Paged, pageQuery, parseQuery } from './pagination.js';
import { imageJson } from './serialize.js';

/**
 * `/api/v1/images`: the OS catalog. Images created or replaced here belong to the operator; later seeds
 * from catalog.yaml leave them alone. Deleting an image an active deployment uses is a 409.
 */
export function imagesApi(router: Router, { core }: BootServerDeps): void {
  const images = () => core.deployments.images();
  const check = (body: unknown) => checkImageForApi(body, { config: core.config, templates: core.templates });

  router.get('/api/v1/images', async (ctx) => {
    const q = parseQuery(pageQuery, ctx.query);
    const all = await images().list();
    ctx.body = {
      items: all.slice(q.offset, q.offset + q.limit).map(imageJson),
      total: all.length,
      limit: q.limit,
      offset: q.offset,
    } satisfies Paged<unknown>;
  });

  router.post('/api/v1/images', jsonBody, async (ctx) => {
    check(ctx.request.body);
    const image = await images().create(ctx.request.body);
    ctx.status = 201;
    ctx.set('Location', `/api/v1/images/${image.id}`);
    ctx.body = imageJson(image);
  });

  router.get('/api/v1/images/:id', async (ctx) => {
    ctx.body = imageJson(await images().get(ctx.params.id!));
  });

  router.put('/api/v1/images/:id', jsonBody, async (ctx) => {
    const body = { ...(ctx.request.body as object), id: ctx.params.id };
    check(body);
    ctx.body = imageJson(await images().update(ctx.params.id!, body));
  });

  router.delete('/api/v1/images/:id', async (ctx) => {
    await images().delete(ctx.params.id!);
    ctx.status = 204;
  });
}

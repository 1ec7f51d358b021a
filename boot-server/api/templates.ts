import type Router from '@koa/router';
import type { Context } from 'koa';
import { z } from 'zod';
import { AppError, ConflictError, NotFoundError } from '../../core/errors.js';
import { knownTemplateName } from '../../core/templates/template-names.js';
import type { TemplateDocument, TemplateSummary } from '../../core/templates/template-repository.js';
import type { BootServerDeps } from '../deps.js';
import { previewTemplate } from '../template-checks/template-preview.js';
import { checkTemplate } from '../template-checks/template-validator.js';
import { jsonBody, parseBody } from './json-body.js';
import { acceptReadOnlyFields } from './read-only-fields.js';

/** Largest template text accepted (the shipped ones are under 8 KiB). */
export const MAX_TEMPLATE_CHARS = 128 * 1024;

/** Fields GET answers with that the server owns: a PUT may send them back unchanged (the round-trip rule). */
const TEMPLATE_READ_ONLY = ['name', 'source', 'kind', 'updatedAt'] as const;

/** `version`, when sent, must be the version in use: otherwise someone saved in between (409). */
const putBody = z.object({ content: z.string(), version: z.number().int().min(0).optional() }).strict();

// Names may hold `/`, sent as path segments or as %2F (the router decodes the parameter).
const NAME = ':name(.+)';

/**
 * `/api/v1/templates`: list, get, PUT (a new version, checked first), DELETE (back to the built-in),
 * versions, restore and preview. See docs/windows.md and docs/linux.md "Editing a template".
 */
export function templatesApi(router: Router, { core }: BootServerDeps): void {
  const repo = () => core.templateRepository();
  const nameOf = (ctx: Context) =>
    knownTemplateName(String(ctx.params.name ?? ''), core.templates.builtins, (id) => imageIds.has(id));
  let imageIds = new Set<string>();
  const loadImageIds = async () => {
    imageIds = new Set((await core.deployments.images().list()).map((i) => i.id));
  };

  router.get('/api/v1/templates', async (ctx) => {
    ctx.body = { items: (await repo().list()).map(summaryJson) };
  });

  router.get(`/api/v1/templates/${NAME}/versions`, async (ctx) => {
    await loadImageIds();
    const name = nameOf(ctx);
    const { active, items } = await repo().versions(name);
    ctx.body = {
      name,
      active,
      items: [
        ...items.map((v) => ({
          version: v.version,
          source: 'operator',
          active: v.version === active,
          createdAt: v.createdAt,
          createdBy: v.createdBy,
          restoredFrom: v.restoredFrom,
        })),
        {
          version: 0,
          source: 'builtin',
          active: active === 0,
          createdAt: null,
          createdBy: null,
          restoredFrom: null,
        },
      ],
    };
  });

  router.post(`/api/v1/templates/${NAME}/versions/:n/restore`, jsonBody, async (ctx) => {
    await loadImageIds();
    const name = nameOf(ctx);
    const n = /^\d{1,9}$/.test(String(ctx.params.n)) ? Number(ctx.params.n) : -1;
    if (n < 0)
      throw new NotFoundError(
        `template ${name} has no version ${String(ctx.params.n).slice(0, 12)}`,
        'template:unknown-version',
      );
    if (n === 0) {
      ctx.body = documentJson(await repo().reset(name));
      return;
    }
    const old = await repo().version(name, n);
    // Checked again: partials, images and profiles may have changed since it was saved.
    await checkTemplate(core, name, old.content);
    ctx.body = documentJson(await repo().save(name, old.content, 'api', { restoredFrom: n }));
  });

  router.post(`/api/v1/templates/${NAME}/preview`, jsonBody, async (ctx) => {
    await loadImageIds();
    const name = nameOf(ctx);
    ctx.body = { name, content: await previewTemplate(core, name, ctx.request.body) };
  });

  router.get(`/api/v1/templates/${NAME}`, async (ctx) => {
    await loadImageIds();
    ctx.body = documentJson(await repo().get(nameOf(ctx)));
  });

  router.put(`/api/v1/templates/${NAME}`, jsonBody, async (ctx) => {
    await loadImageIds();
    const name = nameOf(ctx);
    const raw = ctx.request.body as { content?: unknown };
    if (typeof raw?.content === 'string' && raw.content.length > MAX_TEMPLATE_CHARS) {
      throw new AppError(
        'request:too-large',
        `a template holds at most ${MAX_TEMPLATE_CHARS} characters`,
        413,
      );
    }
    const current = await repo().get(name);
    const body = parseBody(putBody, acceptReadOnlyFields(raw, summaryJson(current), TEMPLATE_READ_ONLY));
    if (body.version !== undefined && body.version !== current.version) {
      throw new ConflictError(
        'template:conflict',
        `${name} is at version ${current.version} now, not ${body.version}: read it again and reapply your change`,
      );
    }
    await checkTemplate(core, name, body.content);
    ctx.body = documentJson(
      await repo().save(
        name,
        body.content,
        'api',
        body.version !== undefined ? { expectedVersion: body.version } : {},
      ),
    );
  });

  router.delete(`/api/v1/templates/${NAME}`, async (ctx) => {
    await loadImageIds();
    ctx.body = documentJson(await repo().reset(nameOf(ctx)));
  });
}

function summaryJson(t: TemplateSummary) {
  return { name: t.name, version: t.version, source: t.source, kind: t.kind, updatedAt: t.updatedAt };
}

function documentJson(t: TemplateDocument) {
  return { ...summaryJson(t), content: t.content };
}

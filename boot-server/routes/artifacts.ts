import type Router from '@koa/router';
import { isAppError, NotFoundError } from '../../core/errors.js';
import { buildRenderContext } from '../../core/render/render-context.js';
import { TemplateError } from '../../core/render/template-engine.js';
import type { BootServerDeps } from '../deps.js';
import { artifactContentType } from './content-types.js';

const ARTIFACT_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
/** Template folders that hold no per-deployment artifacts. */
const NOT_ARTIFACT_FOLDERS = new Set(['ipxe', 'partials']);

/**
 * `GET /d/:token/:artifact`: a per-deployment file rendered from `templates/<image.templates>/<artifact>.hbs`
 * (autounattend.xml, startnet.cmd, user-data, …) with the render context and the deployment's secrets.
 * Only while the deployment is active. Every miss — bad token, ended deployment, unknown artifact — is the
 * same 404, so the answer never tells whether a deployment exists.
 */
export function artifactsRoute(router: Router, { core, metrics }: BootServerDeps): void {
  const notFound = () => new NotFoundError('not found');
  router.get('/d/:token/:artifact', async (ctx) => {
    let outcome = 'not_found';
    try {
      const { token, artifact } = ctx.params as { token: string; artifact: string };
      const deployment = await core.deployments.resolveToken(token, 'artifact');
      if (!deployment || !ARTIFACT_NAME.test(artifact)) throw notFound();
      const image = await core.deployments.image(deployment.os).catch((error) => {
        throw isAppError(error) && error.status === 404 ? notFound() : error;
      });
      const name = `${image.templates}/${artifact}`;
      await core.templateStore.fresh();
      // The versions pinned when its install script was rendered: a template saved mid-install is not used.
      const set = await core.templateStore.pinned(deployment.templates, image.id);
      if (!image.templates || NOT_ARTIFACT_FOLDERS.has(image.templates) || !core.templates.has(name, set)) {
        throw notFound();
      }
      outcome = 'error';
      // The token lookup loaded the row with its sealed secrets: no second read.
      const secrets = await core.deployments.secrets(deployment);
      const profiles = await core.profiles.list();
      const profile = profiles.find((p) => p.name === deployment.resolvedProfile);
      const context = buildRenderContext({
        config: core.config,
        deployment,
        image,
        token,
        secrets,
        ...(profile ? { profile } : {}),
      });
      ctx.body = renderWithoutLeaking(() => core.templates.render(name, context, set), name);
      ctx.type = artifactContentType(artifact);
      ctx.set('Cache-Control', 'no-store');
      outcome = 'ok';
    } finally {
      metrics.artifactRenders.inc({ outcome });
    }
  });
}

/**
 * Escapers quote the offending value in their error message. The context holds secrets (a configured
 * password that cmd cannot carry, say), so quoted values are blanked before the message can be logged.
 */
function renderWithoutLeaking(render: () => string, name: string): string {
  try {
    return render();
  } catch (error) {
    if (!(error instanceof TemplateError)) throw error;
    const message = error.message
      .replace(/^rendering \S+ failed: /, '')
      .replace(/"(?:[^"\\]|\\.)*"/g, '"[value]"');
    throw new TemplateError(name, new Error(message));
  }
}

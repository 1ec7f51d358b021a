import { z } from 'zod';
import type { Core } from '../../core/create-core.js';
import type { Deployment } from '../../core/deployments/deployment.entity.js';
import type { DeploymentSecrets } from '../../core/deployments/deployment-service.js';
import { generatePassword } from '../../core/deployments/passwords.js';
import { ValidationError } from '../../core/errors.js';
import { parseMac } from '../../core/mac.js';
import type { ProfileData } from '../../core/profiles/builtin-profiles.js';
import { buildRenderContext } from '../../core/render/render-context.js';
import { TemplateError } from '../../core/render/template-engine.js';
import { overlaySet, PARTIALS_PREFIX, type TemplateSet } from '../../core/render/template-set.js';
import { maskSecrets } from '../../core/templates/mask-secrets.js';
import { imageScope } from '../../core/templates/template-store.js';
import { parseBody } from '../api/json-body.js';
import { DEFAULT_RETRY, installTemplateName, renderInstallScript } from '../ipxe/scripts.js';
import { sampleDeployment } from './samples.js';

export const previewBody = z.union([
  z
    .object({
      deployment: z.number().int().positive(),
      /** Unsaved text to render instead of the stored one. */
      content: z.string().max(200_000).optional(),
    })
    .strict(),
  z
    .object({
      image: z.string().max(64),
      mac: z.string().max(64).default('52:54:00:12:34:56'),
      firmware: z.enum(['efi', 'pcbios']).default('efi'),
      profile: z.string().max(32).default('auto'),
      hostname: z.string().max(63).optional(),
      content: z.string().max(200_000).optional(),
    })
    .strict(),
]);

/**
 * `POST /api/v1/templates/:name/preview`: what one machine would get from this template — a real
 * deployment (with the versions it is pinned to), or an image, MAC, firmware and profile — rendered with
 * every secret (passwords, password hashes, the join password, the deployment's token) masked.
 */
export async function previewTemplate(core: Core, name: string, body: unknown): Promise<string> {
  const input = parseBody(previewBody, body);
  const scope = imageScope(name);
  const base = scope?.name ?? name;
  if (base.startsWith(PARTIALS_PREFIX)) {
    throw new ValidationError(
      `${name} is a partial: preview a template that includes it`,
      undefined,
      'template:not-previewable',
    );
  }
  await core.templateStore.fresh();
  let deployment: Deployment;
  let secrets: DeploymentSecrets;
  let token: string;
  let set: TemplateSet;
  let profile: ProfileData;
  if ('deployment' in input) {
    deployment = await core.deployments.repository().get(input.deployment);
    secrets = await core.deployments.secrets(deployment.id);
    token = core.deployments.tokenFor(deployment);
    set = await core.templateStore.pinned(deployment.templates, deployment.os);
    profile = (await core.profiles.choose(deployment.resolvedProfile ?? deployment.profile, deployment.boot))
      .profile;
  } else {
    const image = await core.deployments.image(input.image);
    profile = (await core.profiles.choose(input.profile, null)).profile;
    if (input.profile !== 'auto' && profile.name !== input.profile) {
      throw new ValidationError(`unknown profile "${input.profile}"`, undefined, 'profile:unknown');
    }
    deployment = sampleDeployment(image, image.defaultEdition, input.firmware, profile, {
      mac: parseMac(input.mac),
      ...(input.hostname ? { hostname: input.hostname } : {}),
      profile: input.profile,
    });
    const password = generatePassword();
    secrets = { password };
    token = `0.${generatePassword(43).replace(/[^A-Za-z0-9]/g, 'x')}`;
    set = core.templateStore.forImage(image.id);
  }
  if (scope && scope.imageId !== deployment.os) {
    throw new ValidationError(
      `${name} belongs to image ${scope.imageId}, not ${deployment.os}`,
      undefined,
      'template:not-previewable',
    );
  }
  if (input.content !== undefined) {
    set = overlaySet(
      set,
      new Map([[base, { name, content: input.content, version: -1, source: 'operator' as const }]]),
    );
  }
  const image = await core.deployments.image(deployment.os);
  if (base !== installTemplateName(image) && !(image.templates && base.startsWith(`${image.templates}/`))) {
    throw new ValidationError(
      `${base} is not one of ${image.id}'s files (its install script ${installTemplateName(image)} and ${image.templates ?? 'no'}/…)`,
      undefined,
      'template:not-previewable',
    );
  }
  const mask = (text: string) =>
    maskSecrets(text, [
      secrets.password,
      secrets.passwordHash,
      core.config.WINDOWS_JOIN_PASSWORD,
      core.config.WINDOWS_ADMIN_PASSWORD,
      token,
    ]);
  try {
    return mask(render());
  } catch (error) {
    // Unsaved text that does not render is the operator's mistake: a 422 (masked), not a server fault.
    if (!(error instanceof TemplateError)) throw error;
    throw new ValidationError(mask(error.message), undefined, 'template:invalid');
  }

  function render(): string {
    return base === installTemplateName(image)
      ? renderInstallScript(core.templates.using(set), {
          config: core.config,
          deployment,
          image,
          token,
          retry: DEFAULT_RETRY,
          profile,
        })
      : core.templates.render(
          base,
          buildRenderContext({ config: core.config, deployment, image, token, secrets, profile }),
          set,
        );
  }
}

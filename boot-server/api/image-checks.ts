import type { Config } from '../../core/config/index.js';
import type { Deployment } from '../../core/deployments/deployment.entity.js';
import { ValidationError } from '../../core/errors.js';
import { imageInput } from '../../core/images/image-schema.js';
import type { OsImage } from '../../core/images/os-image.entity.js';
import { type TemplateEngine, TemplateError } from '../../core/render/template-engine.js';
import { buildInstallContext, DEFAULT_RETRY } from '../ipxe/scripts.js';

const RESERVED_FOLDERS = new Set(['ipxe', 'partials']);

/**
 * Checks the API adds to the catalog schema, so a bad image is a 422 when it is saved rather than a 500
 * when a machine boots: a display name is one line, `templates` is not a folder of scripts, and a linux
 * `cmdline` compiles, uses only known variables and renders to arguments iPXE passes through unchanged.
 */
export function checkImageForApi(input: unknown, ctx: { config: Config; templates: TemplateEngine }): void {
  const parsed = imageInput.safeParse(input);
  if (!parsed.success) return; // the repository reports schema problems with its own messages
  const image = parsed.data;
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is refused
  if (/[\u0000-\u001f\u007f]/.test(image.name)) {
    throw new ValidationError(
      'image name: must be one line without control characters',
      undefined,
      'image:invalid',
    );
  }
  if (image.templates && RESERVED_FOLDERS.has(image.templates)) {
    throw new ValidationError(
      `image templates: "${image.templates}" is reserved`,
      undefined,
      'image:invalid',
    );
  }
  if (image.boot.method !== 'linux') return;
  try {
    buildInstallContext(ctx.templates, {
      config: ctx.config,
      deployment: sampleDeployment(image.id),
      image: { ...image, source: 'api', createdAt: new Date(), updatedAt: new Date() } as OsImage,
      token: `1.${'A'.repeat(43)}`,
      retry: DEFAULT_RETRY,
    });
  } catch (error) {
    if (!(error instanceof TemplateError)) throw error;
    const why = error.message.replace(/^rendering .*? failed: /, '');
    throw new ValidationError(`image boot.cmdline: ${why}`, undefined, 'image:invalid-cmdline');
  }
}

function sampleDeployment(os: string): Deployment {
  const now = new Date();
  return {
    id: 1,
    mac: '52:54:00:00:00:01',
    os,
    edition: null,
    hostname: 'srv-000001',
    profile: 'auto',
    resolvedProfile: 'kvm',
    status: 'approved',
    stage: null,
    progress: null,
    failureReason: null,
    requestedBy: { platform: 'api', id: 'api', name: 'api' },
    tokenNonce: '',
    secrets: null,
    boot: { platform: 'pcbios', arch: 'x86_64' },
    createdAt: now,
    updatedAt: now,
    expiresAt: now,
    approvedAt: now,
    bootingAt: null,
    installingAt: null,
    configuringAt: null,
    finishedAt: null,
    lastEventAt: now,
  } as Deployment;
}

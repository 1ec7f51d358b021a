import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { verify } from 'unixcrypt';
import { loadConfig } from '../../../core/config/index.js';
import type { Deployment } from '../../../core/deployments/deployment.entity.js';
import { parseCatalog } from '../../../core/images/catalog-file.js';
import type { ImageInput } from '../../../core/images/image-schema.js';
import type { OsImage } from '../../../core/images/os-image.entity.js';
import { buildRenderContext, type RenderContext } from '../../../core/render/render-context.js';
import { createTemplateEngine } from '../../../core/render/template-engine.js';

export const TEMPLATES_DIR = fileURLToPath(new URL('../../../templates', import.meta.url));
export const engine = createTemplateEngine(TEMPLATES_DIR);

/** The Linux entries of the real templates/catalog.yaml. */
export const catalog: Record<string, ImageInput> = Object.fromEntries(
  parseCatalog(readFileSync(`${TEMPLATES_DIR}/catalog.yaml`, 'utf8'))
    .filter((image) => image.family === 'linux')
    .map((image) => [image.id, image]),
);

/** A deployment's token as the secret box shapes it (`<id>.<43 base64url characters>`). */
export const tokenFor = (id: number) => `${id}.${'A'.repeat(43)}`;
export const PASSWORD = 'Xy7#kq-2=Wm_pL.9@tRz';

export interface LinuxCase {
  os: 'ubuntu2404' | 'ubuntu2204' | 'debian12';
  /** Environment variables on top of the test defaults (LINUX_*, PUBLIC_BOOT_URL). */
  env?: Record<string, string>;
  /**
   * Linux settings forced into the built context, past config validation: for proving that a value which
   * got through anyway still cannot change a file's structure.
   */
  settings?: Partial<RenderContext['settings']['linux']>;
  hostname?: string;
  mac?: string;
  id?: number;
  password?: string;
  /** The deployment's disk rule. @defaultValue none (the default, smallest:20) */
  disk?: string;
}

/**
 * The render context the boot server builds for an artifact request (with secrets), from a real
 * config (so LINUX_* go through the real loading and splitting) and the real catalog entry.
 */
export function linuxContext(c: LinuxCase): RenderContext {
  const config = loadConfig({
    NODE_ENV: 'test',
    SECRET_KEY: 'test-secret-key-0123456789abcdef0123456789abcdef',
    PUBLIC_BOOT_URL: 'http://10.0.2.2:8080',
    ...c.env,
  });
  const image = catalog[c.os]!;
  const deployment = {
    id: c.id ?? 42,
    mac: c.mac ?? '52:54:00:12:34:56',
    os: c.os,
    edition: null,
    hostname: c.hostname ?? 'web-01',
    profile: 'auto',
    resolvedProfile: 'kvm',
    disk: c.disk ?? null,
    requestedBy: { platform: 'shell', id: 'alice', name: 'alice' },
    boot: { platform: 'pcbios', arch: 'i386', manufacturer: 'QEMU', product: 'Standard PC' },
  } as unknown as Deployment;
  const context = buildRenderContext({
    config,
    deployment,
    image: image as unknown as OsImage,
    token: tokenFor(deployment.id),
    secrets: { password: c.password ?? PASSWORD },
  });
  Object.assign(context.settings.linux, c.settings);
  return context;
}

/** Renders `templates/<image templates>/<artifact>.hbs` as `GET /d/:token/:artifact` does. */
export function renderArtifact(context: RenderContext, artifact: string): string {
  const folder = catalog[context.image.id]!.templates;
  return engine.render(`${folder}/${artifact}`, context);
}

/** The catalog command line of the context's image, rendered as the iPXE script gets it. */
export function renderCmdline(context: RenderContext): string {
  const boot = catalog[context.image.id]!.boot;
  if (boot.method !== 'linux') throw new Error(`${context.image.id} is not a linux image`);
  return engine.renderString(boot.cmdline, context, `${context.image.id} cmdline`);
}

const HASH = /\$6\$[./0-9A-Za-z]{1,16}\$[./0-9A-Za-z]{86}/g;

/** Every SHA-512 crypt hash in `text`; each must verify against `password`. */
export function cryptHashes(text: string): string[] {
  return text.match(HASH) ?? [];
}

/** Replaces the salted hashes (new on every render) after checking they match `password`. */
export function stableText(text: string, password: string): string {
  for (const hash of cryptHashes(text)) {
    if (!verify(password, hash)) throw new Error(`hash ${hash} does not match the deployment's password`);
  }
  return text.replace(HASH, '<sha512crypt of the password>');
}

import type { Config } from '../../core/config/index.js';
import type { Deployment } from '../../core/deployments/deployment.entity.js';
import type { OsImage } from '../../core/images/os-image.entity.js';
import type { ProfileData } from '../../core/profiles/builtin-profiles.js';
import { buildRenderContext, type RenderContext } from '../../core/render/render-context.js';
import { type TemplateEngine, TemplateError } from '../../core/render/template-engine.js';
import { ipxeWord } from './display-text.js';
import { renderCmdline } from './linux-cmdline.js';

/** How iPXE scripts retry a fetch that fails (a bounded loop, then the next boot device). */
export interface RetryPolicy {
  /** Attempts per fetch. @defaultValue 5 */
  attempts: number;
  /** Seconds between attempts. @defaultValue 5 */
  delay: number;
  /** Seconds the give-up message stays on screen before iPXE exits. @defaultValue 30 */
  giveUp: number;
}

export const DEFAULT_RETRY: RetryPolicy = { attempts: 5, delay: 5, giveUp: 30 };

/** The entry script (`GET /boot.ipxe`). */
export function renderEntryScript(templates: TemplateEngine, args: { bootUrl: string; retry: RetryPolicy }) {
  return templates.render('ipxe/boot.ipxe', { bootUrl: args.bootUrl, retry: args.retry, reportUrl: null });
}

/** The waiting loop for a `pending_approval` deployment. Carries no token. */
export function renderWaitingScript(
  templates: TemplateEngine,
  args: { config: Config; deployment: Deployment; retry: RetryPolicy; pollSeconds: number },
) {
  const { config, deployment: d } = args;
  return templates.render('ipxe/waiting.ipxe', {
    bootUrl: config.publicBootUrl,
    retry: args.retry,
    // No token before approval, so nowhere to report to: the give-up path only prints.
    reportUrl: null,
    pollSeconds: args.pollSeconds,
    requester: ipxeWord(d.requestedBy.name),
    approval: {
      discord: config.chatPlatforms.includes('discord'),
      slack: config.chatPlatforms.includes('slack'),
      shell: config.chatPlatforms.length === 0,
    },
    deployment: {
      id: d.id,
      os: d.os,
      hostname: d.hostname,
      mac: d.mac,
      macHyphen: d.mac.replace(/:/g, '-'),
      requestedByPlatform: d.requestedBy.platform,
    },
  });
}

/**
 * Local boot: on UEFI, chain the local-boot GRUB (`/local-boot/bootx64.efi`) that finds the installed OS's
 * EFI loader; on BIOS, `sanboot` of the first disk; decided at run time when the request did not say
 * which firmware it came from. Failing that, `exit 1`: the firmware tries its next boot option.
 */
export function renderLocalBootScript(
  templates: TemplateEngine,
  args: {
    mac: string;
    platform?: string;
    deployment: Pick<Deployment, 'id' | 'status'> | null;
    bootUrl: string;
  },
) {
  const firmware = args.platform === 'efi' || args.platform === 'pcbios' ? args.platform : null;
  return templates.render('ipxe/local-boot.ipxe', {
    bootUrl: args.bootUrl,
    mac: args.mac,
    firmware,
    deploymentId: args.deployment?.id ?? null,
    status: args.deployment?.status ?? null,
  });
}

/** An initrd as the install script fetches it: iPXE image name, URL and retry label. */
export interface InitrdFetch {
  name: string;
  url: string;
  step: string;
}

/** What `templates/ipxe/install-<method>.ipxe` renders with: the shared render context plus boot details. */
export type InstallContext = RenderContext & {
  retry: RetryPolicy;
  /**
   * Where the script's give-up path reports what failed (`GET <reportUrl>?step=…&code=${errno}`), under
   * the deployment's token: `${bootUrl}/r/<token>/boot-failed`.
   */
  reportUrl: string;
  /** Set for `linux` images: the initrds and the rendered kernel arguments. */
  linux: { initrds: InitrdFetch[]; args: string[] } | null;
};

/** Template of the install script for an image's boot method; adding a method means adding one file. */
export function installTemplateName(image: Pick<OsImage, 'boot'>): string {
  return `ipxe/install-${image.boot.method}.ipxe`;
}

/**
 * The install script for an approved deployment. `deployment` must already carry the boot info and
 * resolved profile of this request (the caller persists them with markBooting once this succeeded).
 */
export function renderInstallScript(templates: TemplateEngine, args: InstallArgs): string {
  return renderInstallFromContext(templates, args.image, buildInstallContext(templates, args));
}

/** The install script of an already built {@link InstallContext} (the boot decision builds it once). */
export function renderInstallFromContext(
  templates: TemplateEngine,
  image: Pick<OsImage, 'boot'>,
  context: InstallContext,
): string {
  const name = installTemplateName(image);
  if (!templates.has(name)) {
    throw new TemplateError(name, new Error(`no install script for boot method "${image.boot.method}"`));
  }
  return templates.render(name, context);
}

/** What an install script is rendered from. */
export interface InstallArgs {
  config: Config;
  deployment: Deployment;
  image: OsImage;
  token: string;
  retry: RetryPolicy;
  /** The resolved profile's data. @defaultValue the built-in profile of the deployment's resolvedProfile */
  profile?: ProfileData;
}

/** The context of install scripts; also what a catalog cmdline may reference. */
export function buildInstallContext(templates: TemplateEngine, args: InstallArgs): InstallContext {
  const base = buildRenderContext({
    config: args.config,
    deployment: args.deployment,
    image: args.image,
    token: args.token,
    ...(args.profile ? { profile: args.profile } : {}),
  });
  const boot = args.image.boot;
  const reportUrl = `${base.bootUrl}/r/${args.token}/boot-failed`;
  if (boot.method !== 'linux') return { ...base, retry: args.retry, reportUrl, linux: null };
  const linuxArgs = renderCmdline(templates, boot.cmdline, base, `catalog cmdline of ${args.image.id}`);
  // The profile's arguments come last, so they win over the catalog's (the kernel keeps the last value).
  // Both were checked for iPXE when saved (core/profiles/profile-schema.ts).
  if (base.profile.kernelArgs) linuxArgs.push(...base.profile.kernelArgs.split(' ').filter(Boolean));
  if (base.profile.serialConsole) linuxArgs.push(`console=${base.profile.serialConsole}`);
  return {
    ...base,
    retry: args.retry,
    reportUrl,
    linux: { initrds: initrdFetches(base.image.boot.initrd as string[]), args: linuxArgs },
  };
}

/**
 * Names initrds after their file name when that is plain and unique (readable on the console and on
 * the kernel line), `initrd<N>` otherwise.
 */
function initrdFetches(urls: string[]): InitrdFetch[] {
  const names = urls.map((url) => new URL(url).pathname.split('/').pop() ?? '');
  return urls.map((url, i) => {
    const plain = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/.test(names[i]!) && names.indexOf(names[i]!) === i;
    return { name: plain ? names[i]! : `initrd${i}`, url, step: `initrd${i}` };
  });
}

import type { Deployment } from '../../core/deployments/deployment.entity.js';
import type { OsImage } from '../../core/images/os-image.entity.js';
import { type TemplateEngine, TemplateError } from '../../core/render/template-engine.js';
import type { InstallContext } from '../ipxe/scripts.js';

/**
 * Loaders local boot looks for on the ESP, in order: the distributions' shims (Secure Boot), Windows'
 * boot manager, then the removable-media fallback path. The first one found is chainloaded.
 */
export const LOCAL_LOADERS = [
  '/EFI/debian/shimx64.efi',
  '/EFI/ubuntu/shimx64.efi',
  '/EFI/Microsoft/Boot/bootmgfw.efi',
  '/EFI/BOOT/BOOTX64.EFI',
];

/**
 * A URL as GRUB opens it: `http://10.0.2.2:8080/files/x` → `(http,10.0.2.2:8080)/files/x`. GRUB's
 * network stack speaks plain HTTP only (Debian 13's signed netboot GRUB; docs/pxe.md).
 */
export function grubPath(url: string, label: string): string {
  const parsed = new URL(url);
  if (parsed.protocol !== 'http:') {
    throw new TemplateError(label, new Error(`GRUB fetches over plain http only, not ${parsed.protocol}`));
  }
  return `(http,${parsed.host})${parsed.pathname}${parsed.search}`;
}

/** `GET /grub/:mac` while pending: prints who must approve and sleeps; grub/grub.cfg asks again. */
export function renderGrubWaiting(
  templates: TemplateEngine,
  args: { deployment: Deployment; pollSeconds: number },
): string {
  const d = args.deployment;
  return templates.render('grub/waiting.cfg', {
    pollSeconds: args.pollSeconds,
    requester: d.requestedBy.name,
    deployment: {
      id: d.id,
      os: d.os,
      hostname: d.hostname,
      mac: d.mac,
      requestedByPlatform: d.requestedBy.platform,
    },
  });
}

/** Local boot: chainload the installed loader found on a disk ({@link LOCAL_LOADERS}). */
export function renderGrubLocal(
  templates: TemplateEngine,
  args: { mac: string; deployment: Pick<Deployment, 'id' | 'status'> | null },
): string {
  return templates.render('grub/local-boot.cfg', {
    mac: args.mac,
    deploymentId: args.deployment?.id ?? null,
    status: args.deployment?.status ?? null,
    localLoaders: LOCAL_LOADERS,
  });
}

/** The install script in GRUB's language, from the same {@link InstallContext} the iPXE one uses. */
export function renderGrubInstall(
  templates: TemplateEngine,
  image: Pick<OsImage, 'id' | 'boot'>,
  context: InstallContext,
): string {
  const name = `grub/install-${image.boot.method}.cfg`;
  if (!templates.has(name) || !context.linux) {
    throw new TemplateError(
      name,
      new Error(
        `GRUB boots only linux images; ${image.id} uses "${image.boot.method}" (Windows under Secure Boot: docs/windows.md)`,
      ),
    );
  }
  const label = `GRUB install script of ${image.id}`;
  return templates.render(name, {
    ...context,
    localLoaders: LOCAL_LOADERS,
    grubFiles: {
      kernel: grubPath(String(context.image.boot.kernel), label),
      initrds: context.linux.initrds.map((i) => grubPath(i.url, label)),
      report: `${grubPath(context.reportUrl, label)}?step=`,
    },
  });
}

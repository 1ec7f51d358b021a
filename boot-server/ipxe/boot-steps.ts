import type { InstallContext } from './scripts.js';

/**
 * What a boot script's step fetched, as the thread names it: a path under ARTIFACTS_DIR
 * (`windows/ws2025/drivers/kvm/viostor.inf`), "startnet.cmd of this deployment" for rendered artifacts
 * (whose URLs hold the token), or a remote URL without its query and credentials. Derived from the
 * install context, never from what the machine sent, so a report cannot put a URL of its choosing into
 * chat. Null for a step this server does not know (the thread then names the step).
 */
export function stepTarget(context: InstallContext, step: string): string | null {
  const url = stepUrl(context, step);
  if (!url) return null;
  if (url.startsWith(`${context.filesUrl}/`)) return url.slice(context.filesUrl.length + 1);
  if (url.startsWith(`${context.artifactUrl}/`)) {
    return `${url.slice(context.artifactUrl.length + 1)} of this deployment`;
  }
  try {
    const parsed = new URL(url);
    return `${parsed.protocol}//${parsed.host}${parsed.pathname}`;
  } catch {
    return null;
  }
}

/** The URL each step name of templates/ipxe/install-*.ipxe.hbs fetches. */
function stepUrl(context: InstallContext, step: string): string | null {
  const boot = context.image.boot;
  const asString = (v: unknown) => (typeof v === 'string' ? v : null);
  if (context.linux) {
    if (step === 'kernel') return asString(boot.kernel);
    return context.linux.initrds.find((i) => i.step === step)?.url ?? null;
  }
  const fixed: Record<string, unknown> = {
    wimboot: boot.wimboot,
    'startnet.cmd': `${context.artifactUrl}/startnet.cmd`,
    'winpeshl.ini': `${context.artifactUrl}/winpeshl.ini`,
    BCD: boot.bcd,
    'boot.sdi': boot.bootSdi,
    'boot.wim': boot.bootWim,
  };
  if (Object.hasOwn(fixed, step)) return asString(fixed[step]);
  const files = Array.isArray(boot.files) ? (boot.files as { name: string; url: string }[]) : [];
  const named = [...files, ...context.drivers.winpeFiles].find((f) => f.name === step);
  return named?.url ?? null;
}

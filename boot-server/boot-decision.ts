import type { Deployment } from '../core/deployments/deployment.entity.js';
import { INSTALL_SCRIPT_STATES } from '../core/deployments/lifecycle.js';
import type { OsImage } from '../core/images/os-image.entity.js';
import type { IpxeOutcome } from '../core/metrics.js';
import type { TemplateEngine } from '../core/render/template-engine.js';
import { deploymentTemplateNames } from '../core/templates/template-store.js';
import type { BootServerDeps } from './deps.js';
import { localArtifacts } from './ipxe/artifact-check.js';
import { buildInstallContext, type InstallContext, installTemplateName } from './ipxe/scripts.js';
import type { MachineState } from './middleware/resolve-machine.js';

/**
 * What a machine that network-boots is told, whatever language its boot loader speaks (iPXE for
 * `/ipxe/:mac`, GRUB for `/grub/:mac`): wait, install, or boot from the local disk.
 */
export type BootDecision =
  | { kind: 'waiting'; deployment: Deployment }
  | { kind: 'install'; deployment: Deployment; image: OsImage; script: string }
  | { kind: 'local'; deployment: Deployment | null };

/**
 * Renders the install script of one dialect with `templates` (the deployment's template versions); a
 * throw (a 500) leaves the deployment as it was.
 */
export type InstallRenderer = (context: InstallContext, image: OsImage, templates: TemplateEngine) => string;

/** The metrics outcome of a decision. */
export function outcomeOf(decision: BootDecision): IpxeOutcome {
  return decision.kind;
}

/**
 * The one state machine behind every per-MAC boot script (docs/architecture.md, the boot-server contract):
 * pending_approval → wait; approved/booting → the install script, moving the deployment to booting;
 * anything else or nothing → local boot. A machine whose installer has started never gets an install
 * script or a token again, so it cannot reinstall itself in a loop. Before an install script goes out:
 * - boot-loop guard: a deployment already served BOOT_LOOP_LIMIT install scripts without the installer
 *   reporting fails, and this boot goes to the local disk;
 * - preflight: every local file the install needs must exist under ARTIFACTS_DIR, else the deployment
 *   fails at once naming the files, instead of the machine retrying a 404.
 * With `preview`, the decision is only looked at (the dashboard's "what would it get now"): nothing is
 * recorded, and the install script carries `«token»` instead of the token.
 */
export async function decideBoot(
  { mac, deployment: d, bootInfo }: MachineState,
  deps: BootServerDeps,
  renderInstall: InstallRenderer,
  { preview = false }: { preview?: boolean } = {},
): Promise<BootDecision> {
  const { core } = deps;
  await core.templateStore.fresh();
  if (!d) return { kind: 'local', deployment: null };
  if (d.status === 'pending_approval') return { kind: 'waiting', deployment: d };
  if (!(INSTALL_SCRIPT_STATES as readonly string[]).includes(d.status))
    return { kind: 'local', deployment: d };

  if (d.status === 'booting' && d.installServes >= deps.bootLoopLimit) {
    if (preview) return { kind: 'local', deployment: d };
    const failed = await core.deployments.recordBootFailure(d.id, {
      stage: 'boot_loop',
      fail: true,
      installServes: d.installServes,
      reason: `the machine network-booted ${d.installServes} times without the installer reporting — check the console`,
    });
    core.logger.warn({ deploymentId: d.id, mac, serves: d.installServes }, 'boot loop: booting from disk');
    return { kind: 'local', deployment: { ...d, status: failed.status ?? d.status } };
  }

  const image = await core.deployments.image(d.os);
  const choice = await core.profiles.choose(d.profile, bootInfo);
  // The versions of its first render stay with the deployment: a template saved meanwhile is for the next.
  const set = await core.templateStore.pinned(d.templates, image.id);
  const templates = core.templates.using(set);
  const token = core.deployments.tokenFor(d);
  const context = buildInstallContext(templates, {
    config: core.config,
    deployment: { ...d, boot: bootInfo, resolvedProfile: choice.profile.name },
    image,
    token,
    retry: deps.retry,
    profile: choice.profile,
  });
  const missing = await deps.artifacts.missing(localArtifacts(image, context, core.config.ARTIFACTS_DIR));
  if (missing.length > 0) {
    if (preview) return { kind: 'local', deployment: d };
    const failed = await core.deployments.recordBootFailure(d.id, {
      stage: 'missing_file',
      fail: true,
      reason: missingReason(d.hostname, missing),
    });
    return { kind: 'local', deployment: { ...d, status: failed.status ?? d.status } };
  }
  // Render before recording anything: a template failure leaves the deployment approved (a 500).
  const script = renderInstall(context, image, templates);
  if (preview) return { kind: 'install', deployment: d, image, script: script.replaceAll(token, '«token»') };
  const pins =
    d.templates ??
    core.templateStore.pinsOf(
      set,
      deploymentTemplateNames(set, { installScript: installTemplateName(image), artifacts: image.templates }),
    );
  const booted = await core.deployments.markBooting(d.id, bootInfo, choice.profile.name, {
    reason: choice.reason,
    templates: pins,
  });
  // Cancelled (or failed) between the lookup and markBooting: the script must not be served.
  if (booted.status !== 'booting') return { kind: 'local', deployment: booted };
  return { kind: 'install', deployment: booted, image, script };
}

/** `web07 cannot install: windows/ws2025/drivers/kvm/viostor.inf is missing from ARTIFACTS_DIR …` */
function missingReason(hostname: string, missing: string[]): string {
  const shown =
    missing.slice(0, 5).join(', ') + (missing.length > 5 ? ` and ${missing.length - 5} more` : '');
  const verb = missing.length === 1 ? 'is' : 'are';
  return `${hostname} cannot install: ${shown} ${verb} missing from ARTIFACTS_DIR on the boot server — put the file there and request the deployment again; the machine boots from its disk`;
}

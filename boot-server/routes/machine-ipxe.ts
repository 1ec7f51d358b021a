import type Router from '@koa/router';
import type { Deployment } from '../../core/deployments/deployment.entity.js';
import { INSTALL_SCRIPT_STATES } from '../../core/deployments/lifecycle.js';
import { type Profile, resolveProfile } from '../../core/images/profiles.js';
import type { IpxeOutcome } from '../../core/metrics.js';
import type { BootServerDeps } from '../deps.js';
import { renderInstallScript, renderLocalBootScript, renderWaitingScript } from '../ipxe/scripts.js';
import { type MachineState, resolveMachine } from '../middleware/resolve-machine.js';

/**
 * `GET /ipxe/:mac`: the script that decides what a machine does, from its deployment's state:
 * pending_approval → waiting loop; approved/booting → install script (and the deployment moves to
 * booting); anything else or nothing → local boot. A machine whose installer has started never gets
 * an install script or a token again, so it cannot reinstall itself in a loop.
 */
export function machineIpxeRoute(router: Router, deps: BootServerDeps): void {
  const { core, metrics } = deps;
  router.get('/ipxe/:mac', resolveMachine(core), async (ctx) => {
    const machine = ctx.state.machine as MachineState;
    let outcome: IpxeOutcome = 'error';
    try {
      const answer = await scriptFor(machine, deps);
      outcome = answer.outcome;
      ctx.type = 'text/plain';
      ctx.set('Cache-Control', 'no-store');
      ctx.body = answer.script;
    } finally {
      metrics.ipxeRenders.inc({ outcome });
    }
  });
}

/**
 * The script `/ipxe/:mac` answers for a machine. With `preview` (the dashboard's "what would it get right
 * now"), nothing is recorded: an approved deployment stays approved, and its token is masked.
 */
export async function scriptFor(
  { mac, deployment: d, bootInfo }: MachineState,
  { core, retry, pollSeconds }: Pick<BootServerDeps, 'core' | 'retry' | 'pollSeconds'>,
  opts: { preview?: boolean } = {},
): Promise<{ outcome: IpxeOutcome; script: string }> {
  const local = (deployment: Deployment | null) => ({
    outcome: 'local' as const,
    script: renderLocalBootScript(core.templates, { mac, platform: bootInfo.platform, deployment }),
  });
  if (!d) return local(null);
  if (d.status === 'pending_approval') {
    return {
      outcome: 'waiting',
      script: renderWaitingScript(core.templates, { config: core.config, deployment: d, retry, pollSeconds }),
    };
  }
  if (!INSTALL_SCRIPT_STATES.includes(d.status as (typeof INSTALL_SCRIPT_STATES)[number])) return local(d);

  const image = await core.deployments.image(d.os);
  const profile = resolveProfile(d.profile as Profile, bootInfo.manufacturer, bootInfo.product);
  // Render before recording anything: a template failure leaves the deployment approved (a 500).
  const token = core.deployments.tokenFor(d);
  const script = renderInstallScript(core.templates, {
    config: core.config,
    deployment: { ...d, boot: bootInfo, resolvedProfile: profile },
    image,
    token,
    retry,
  });
  if (opts.preview) return { outcome: 'install', script: script.replaceAll(token, '«token»') };
  const booted = await core.deployments.markBooting(d.id, bootInfo, profile);
  // Cancelled (or failed) between the lookup and markBooting: the script must not be served.
  if (booted.status !== 'booting') return local(booted);
  return { outcome: 'install', script };
}

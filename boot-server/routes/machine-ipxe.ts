import type Router from '@koa/router';
import type { IpxeOutcome } from '../../core/metrics.js';
import { type BootDecision, decideBoot, outcomeOf } from '../boot-decision.js';
import type { BootServerDeps } from '../deps.js';
import { renderInstallFromContext, renderLocalBootScript, renderWaitingScript } from '../ipxe/scripts.js';
import { type MachineState, resolveMachine } from '../middleware/resolve-machine.js';

/**
 * `GET /ipxe/:mac`: the machine's boot decision ({@link decideBoot}) in iPXE's language: a waiting loop,
 * the install script, or local boot.
 */
export function machineIpxeRoute(router: Router, deps: BootServerDeps): void {
  const { metrics } = deps;
  router.get('/ipxe/:mac', resolveMachine(deps.core), async (ctx) => {
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
 * now"), nothing is recorded: an approved deployment stays approved, no guard fails it, and its token is
 * masked.
 */
export async function scriptFor(
  machine: MachineState,
  deps: BootServerDeps,
  opts: { preview?: boolean } = {},
): Promise<{ outcome: IpxeOutcome; script: string }> {
  const decision = await decideBoot(
    machine,
    deps,
    (context, image, templates) => renderInstallFromContext(templates, image, context),
    opts,
  );
  return { outcome: outcomeOf(decision), script: ipxeScript(decision, machine, deps) };
}

function ipxeScript(decision: BootDecision, { mac, bootInfo }: MachineState, deps: BootServerDeps): string {
  const { core, retry, pollSeconds } = deps;
  switch (decision.kind) {
    case 'install':
      return decision.script;
    case 'waiting':
      return renderWaitingScript(core.templates, {
        config: core.config,
        deployment: decision.deployment,
        retry,
        pollSeconds,
      });
    case 'local':
      return renderLocalBootScript(core.templates, {
        mac,
        platform: bootInfo.platform,
        deployment: decision.deployment,
        bootUrl: core.config.publicBootUrl,
      });
  }
}

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
  const { core, metrics } = deps;
  router.get('/ipxe/:mac', resolveMachine(core), async (ctx) => {
    const machine = ctx.state.machine as MachineState;
    let outcome: IpxeOutcome = 'error';
    try {
      const decision = await decideBoot(machine, deps, (context, image) =>
        renderInstallFromContext(core.templates, image, context),
      );
      const script = ipxeScript(decision, machine, deps);
      outcome = outcomeOf(decision);
      ctx.type = 'text/plain';
      ctx.set('Cache-Control', 'no-store');
      ctx.body = script;
    } finally {
      metrics.ipxeRenders.inc({ outcome });
    }
  });
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
      });
  }
}

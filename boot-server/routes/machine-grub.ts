import type Router from '@koa/router';
import { type BootDecision, decideBoot } from '../boot-decision.js';
import type { BootServerDeps } from '../deps.js';
import { renderGrubInstall, renderGrubLocal, renderGrubWaiting } from '../grub/scripts.js';
import { type MachineState, resolveMachine } from '../middleware/resolve-machine.js';

/**
 * `GET /grub/:mac`: the same boot decision as `/ipxe/:mac` ({@link decideBoot}), in GRUB's language, for
 * machines that keep Secure Boot on and boot shim → signed GRUB (grub/grub.cfg on TFTP asks here with
 * `${net_default_mac}`, `platform` and `arch`).
 */
export function machineGrubRoute(router: Router, deps: BootServerDeps): void {
  const { core } = deps;
  router.get('/grub/:mac', resolveMachine(core), async (ctx) => {
    const machine = ctx.state.machine as MachineState;
    const decision = await decideBoot(machine, deps, (context, image, templates) =>
      renderGrubInstall(templates, image, context),
    );
    ctx.type = 'text/plain';
    ctx.set('Cache-Control', 'no-store');
    ctx.body = grubScript(decision, machine, deps);
  });
}

function grubScript(
  decision: BootDecision,
  { mac }: MachineState,
  { core, pollSeconds }: BootServerDeps,
): string {
  switch (decision.kind) {
    case 'install':
      return decision.script;
    case 'waiting':
      return renderGrubWaiting(core.templates, { deployment: decision.deployment, pollSeconds });
    case 'local':
      return renderGrubLocal(core.templates, { mac, deployment: decision.deployment });
  }
}

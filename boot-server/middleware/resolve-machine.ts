import type { Middleware } from 'koa';
import type { Core } from '../../core/create-core.js';
import type { BootInfo, Deployment } from '../../core/deployments/deployment.entity.js';
import { type Mac, parseMac } from '../../core/mac.js';
import { parseBootInfo } from '../ipxe/boot-info.js';

/** What the per-MAC routes know about the machine asking. */
export interface MachineState {
  mac: Mac;
  /** Its active deployment (pending_approval … configuring), or null. */
  deployment: Deployment | null;
  /** What iPXE reported in the query string, sanitised. */
  bootInfo: BootInfo;
}

/**
 * Resolves `:mac` (any common notation) to the machine's active deployment before any renderer runs,
 * into `ctx.state.machine`. An unparseable MAC is a 422.
 */
export function resolveMachine(core: Core): Middleware {
  return async (ctx, next) => {
    const mac = parseMac(String((ctx as { params?: Record<string, string> }).params?.mac ?? ''));
    const deployment = await core.deployments.activeByMac(mac);
    ctx.state.machine = {
      mac,
      deployment,
      bootInfo: parseBootInfo(ctx.query),
    } satisfies MachineState;
    await next();
  };
}

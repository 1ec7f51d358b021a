import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { createCore } from '../../core/create-core.js';
import { createLogger } from '../../core/logger.js';
import { createMachines, type Machine } from '../boot-storm/machines.js';
import { approveDeployments } from '../boot-storm/setup.js';
import { createLoadClient } from '../support/http-load.js';
import { createInstallation } from '../support/installation.js';
import { type OpenLoopResult, runOpenLoop } from './open-loop.js';

export interface RackPowerOnOptions {
  /** Machines of the main run. @defaultValue 1000 */
  machines?: number;
  /** Seconds over which they power on. @defaultValue 30 */
  spreadSeconds?: number;
  /** Arrival rates (machines/s) tried for the sizing figure, lowest first. @defaultValue [50, 75, 100, 150, 200, 300] */
  sweepRates?: number[];
  /** Seconds of arrivals per sweep step. @defaultValue 8 */
  sweepSeconds?: number;
  logDir: string;
  say(line: string): void;
}

export interface RackPowerOnResult {
  main: OpenLoopResult;
  sweep: OpenLoopResult[];
  /** Highest swept arrival rate whose every route kept p99 under the target, machines/s; 0 if none. */
  sustainableRate: number;
  p99TargetMs: number;
  targets: { name: string; target: string; measured: string; met: boolean }[];
}

const P99_TARGET_MS = 25;

/**
 * A rack powered on the way racks are: machines arriving at a fixed rate, each playing its own boot
 * (entry script, per-MAC script, installer files, stages, answer files) with pauses, against
 * `npm run boot-server`. Then the same at rising rates until p99 passes the target: the sizing figure
 * (machines per second one boot-server process takes).
 */
export async function runRackPowerOn(opts: RackPowerOnOptions): Promise<RackPowerOnResult> {
  const count = opts.machines ?? 1000;
  const spread = opts.spreadSeconds ?? 30;
  const sweepRates = opts.sweepRates ?? [50, 75, 100, 150, 200, 300];
  const sweepSeconds = opts.sweepSeconds ?? 8;
  const installation = await createInstallation({
    WINDOWS_DOMAIN: 'lab.example',
    WINDOWS_JOIN_USER: 'LAB\\joiner',
    WINDOWS_JOIN_PASSWORD: randomBytes(12).toString('base64url'),
    LINUX_SSH_AUTHORIZED_KEYS:
      'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBenchBenchBenchBenchBenchBenchBenchBenchBe bench',
  });
  const core = await createCore(installation.config, createLogger({ level: 'silent' }));
  // Every phase gets machines of its own (fresh MACs): a machine that finished boots from disk.
  const all = createMachines(count + sweepRates.reduce((n, rate) => n + rate * sweepSeconds, 0));
  let used = 0;
  const take = (n: number): Machine[] => {
    used += n;
    return all.slice(used - n, used);
  };
  try {
    const main = take(count);
    opts.say(`rack power-on: creating and approving ${count} deployments`);
    await approveDeployments(core, main);
    const app = await installation.launch('boot-server', {
      logFile: join(opts.logDir, 'rack-power-on-app.log'),
    });
    await warmUp(installation.bootOrigin);
    opts.say(`rack power-on: ${count} machines powering on over ${spread} s`);
    const mainResult = await runOpenLoop(installation.bootOrigin, main, count / spread);
    opts.say(`rack power-on: worst p99 ${mainResult.worstP99Ms} ms, ${mainResult.errors} errors`);
    const sweep: OpenLoopResult[] = [];
    // The main run is the first step of the sweep; the others go faster from there.
    const held = (r: OpenLoopResult) => r.worstP99Ms < P99_TARGET_MS && r.errors === 0;
    let sustainableRate = held(mainResult) ? Math.round(mainResult.arrivalRate) : 0;
    for (const rate of sustainableRate ? sweepRates.filter((r) => r > sustainableRate) : []) {
      const machines = take(rate * sweepSeconds);
      await approveDeployments(core, machines);
      const result = await runOpenLoop(installation.bootOrigin, machines, rate, rate);
      sweep.push(result);
      opts.say(
        `rack power-on: ${rate} machines/s → worst p99 ${result.worstP99Ms} ms, ${result.errors} errors`,
      );
      if (!held(result)) break;
      sustainableRate = rate;
    }
    await app.stop();
    return {
      main: mainResult,
      sweep,
      sustainableRate,
      p99TargetMs: P99_TARGET_MS,
      targets: [
        {
          name: `p99 per route, ${count} machines over ${spread} s`,
          target: `< ${P99_TARGET_MS} ms`,
          measured: `worst ${mainResult.worstP99Ms} ms`,
          met: mainResult.worstP99Ms < P99_TARGET_MS && mainResult.errors === 0,
        },
      ],
    };
  } finally {
    await core.close();
    await installation.dispose();
  }
}

/** JIT and connection pools to speed first, on requests that change nothing (as the boot storm does). */
async function warmUp(origin: string): Promise<void> {
  const client = createLoadClient(origin, { inFlight: 32 });
  const paths = ['/boot.ipxe', '/ipxe/02-00-00-00-00-01?platform=efi&arch=x86_64', '/healthz'];
  await Promise.all(
    Array.from({ length: 2000 }, (_, i) => client.send({ method: 'GET', path: paths[i % 3]! })),
  );
  await client.close();
}

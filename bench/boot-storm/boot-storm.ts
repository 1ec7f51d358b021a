import { randomBytes } from 'node:crypto';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { createCore } from '../../core/create-core.js';
import { createLogger } from '../../core/logger.js';
import { createProgress, type Progress } from '../../core/terminal/progress.js';
import { queryOnce } from '../support/bench-database.js';
import { freePort, spawnTs, type WatchedChild, waitUntilUp } from '../support/child-process.js';
import { createLoadClient, type LoadClient } from '../support/http-load.js';
import { createInstallation } from '../support/installation.js';
import { cpuSecondsOfCommand, ownCpuSeconds } from '../support/service-cpu.js';
import { median, round, summarize } from '../support/stats.js';
import { createMachines, machineScriptPath, ROUTES, WAVES } from './machines.js';
import { approveDeployments } from './setup.js';
import { blast, runWaves } from './storm.js';
import { type BootStormResult, judge } from './targets.js';

export interface BootStormOptions {
  /** Machines powered on at once. @defaultValue 1000 */
  machines?: number;
  /** Requests in flight. @defaultValue 256 */
  inFlight?: number;
  /** Where the app's and the baseline's logs go. */
  logDir: string;
  /** Write V8 CPU profiles of the app's processes into this folder (`--cpu-prof`; the largest is the app). */
  profileDir?: string;
  /**
   * Also run a worker (`npm run worker`, chat in its log) beside the boot server, as a one-machine
   * installation would: it turns the boot server's announced changes into BullMQ jobs and posts them,
   * and its CPU is reported. @defaultValue false: the boot server alone, as the targets are defined.
   */
  withWorker?: boolean;
  /** Progress lines for the operator. */
  say(line: string): void;
}

const DEADLINE_MS = 10 * 60_000;
const WARMUP_REQUESTS = 2000;
const BASELINE_ROUNDS = 3;
/**
 * Requests per round of the entry-script comparison: the storm's one request per machine is over in a
 * quarter of a second, too short to compare two servers; these rounds alternate app and baseline.
 */
const ROUND_REQUESTS = 10_000;

/**
 * The boot storm: `machines` approved deployments, the real boot server (`cli/start.ts boot-server`, its
 * own process) on a fresh Postgres database and Redis prefix, and a load generator in this process. Then
 * the same traffic shape against a bare node:http baseline. Creates and drops its own database.
 */
export async function runBootStorm(opts: BootStormOptions): Promise<BootStormResult> {
  const count = opts.machines ?? 1000;
  const inFlight = opts.inFlight ?? 256;
  const installation = await createInstallation({
    // Answer files render their domain join and agent parts, as a lab's would.
    WINDOWS_DOMAIN: 'lab.example',
    WINDOWS_JOIN_USER: 'LAB\\joiner',
    WINDOWS_JOIN_PASSWORD: randomBytes(12).toString('base64url'),
    WINDOWS_AGENT_URL: 'http://127.0.0.1/agent.msi',
    LINUX_SSH_AUTHORIZED_KEYS:
      'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBenchBenchBenchBenchBenchBenchBenchBenchBe bench',
  });
  const { config, bootOrigin: origin } = installation;
  const core = await createCore(config, createLogger({ level: 'silent' }));
  let app: WatchedChild | undefined;
  let worker: WatchedChild | undefined;
  let baseline: WatchedChild | undefined;
  const signal = AbortSignal.timeout(DEADLINE_MS);
  try {
    const machines = createMachines(count);
    opts.say(`boot storm: creating and approving ${count} deployments`);
    await approveDeployments(core, machines);

    opts.say('boot storm: starting the boot server (npm run boot-server) in its own process');
    app = await installation.launch('boot-server', {
      logFile: join(opts.logDir, 'boot-storm-app.log'),
      profileDir: opts.profileDir,
    });
    if (opts.withWorker) {
      opts.say('boot storm: starting a worker (npm run worker) beside it');
      worker = await installation.launch('worker', { logFile: join(opts.logDir, 'boot-storm-worker.log') });
    }
    const watched = app;
    const client = createLoadClient(origin, { inFlight, signal });
    await warmUp(client);
    const cpuBefore = await watched.cpuSeconds();
    const workerCpuBefore = (await worker?.cpuSeconds()) ?? 0;
    const rssAfterWarmUp = (await watched.rssMb()) ?? Number.NaN;
    opts.say(`boot storm: ${count} machines power on, ${inFlight} requests in flight`);
    const loadBefore = loadavg()[0]!;
    const servicesBefore = await servicesCpu();
    const started = performance.now();
    const bars = new Map<string, Progress>();
    const storm = await runWaves(
      client,
      machines,
      WAVES,
      () => watched.cpuSeconds(),
      (wave, done, total) => {
        const bar = bars.get(wave) ?? createProgress({ label: `[bench] boot storm: ${wave}`, total });
        bars.set(wave, bar);
        bar.update(done);
        if (done === total) bar.finish();
      },
    );
    const stormSeconds = (performance.now() - started) / 1000;
    const appCpu = (await watched.cpuSeconds()) - cpuBefore;
    const workerCpu = worker ? (await worker.cpuSeconds()) - workerCpuBefore : undefined;
    const servicesAfter = await servicesCpu();
    const loadAfter = loadavg()[0]!;
    const persisted = await countPersisted(config.DATABASE_URL);
    const ipxeBytes = storm.bodyBytes.get('/ipxe/:mac') ?? [];
    const scriptBytes = Math.round(ipxeBytes.reduce((a, b) => a + b, 0) / Math.max(1, ipxeBytes.length));

    opts.say(`boot storm: baseline, bare node:http answering a constant ${scriptBytes}-byte script`);
    const basePort = await freePort();
    baseline = spawnTs('bench/boot-storm/baseline-server.ts', {
      env: { PATH: process.env.PATH, BASELINE_BYTES: String(scriptBytes), BASELINE_PORT: String(basePort) },
      logFile: join(opts.logDir, 'boot-storm-baseline.log'),
    });
    const baseOrigin = `http://127.0.0.1:${basePort}`;
    await waitUntilUp(`${baseOrigin}/healthz`, baseline);
    const baseClient = createLoadClient(baseOrigin, { inFlight, signal });
    await warmUp(baseClient);
    // Alternated rounds, so whatever else the machine does weighs on both alike: the app's constant
    // entry script (the stack's own cost), then the baseline (the ceiling of any route).
    opts.say(
      `boot storm: /boot.ipxe and the baseline, ${BASELINE_ROUNDS} alternated rounds of ${ROUND_REQUESTS}`,
    );
    const rounds = [];
    const entryRounds = [];
    let baseCpuMs = 0;
    let entryCpuMs = 0;
    for (let i = 0; i < BASELINE_ROUNDS; i++) {
      const appCpuBefore = await watched.cpuSeconds();
      entryRounds.push(await blast(client, ROUND_REQUESTS, () => ({ method: 'GET', path: '/boot.ipxe' })));
      entryCpuMs += ((await watched.cpuSeconds()) - appCpuBefore) * 1000;
      const baseCpuBefore = await baseline.cpuSeconds();
      rounds.push(
        await blast(baseClient, ROUND_REQUESTS, (n) => ({
          method: 'GET',
          path: machineScriptPath(machines[n % machines.length]!),
        })),
      );
      baseCpuMs += ((await baseline.cpuSeconds()) - baseCpuBefore) * 1000;
    }
    await baseClient.close();
    await baseline.stop();
    const appPeakRss = await app.peakRssMb();
    await client.close();
    await app.stop();
    await worker?.stop();

    const routes = ROUTES.map((route) => {
      const waves = storm.waves.filter((w) => w.route === route);
      const requests = waves.reduce((n, w) => n + w.requests, 0);
      const seconds = waves.reduce((n, w) => n + w.seconds, 0);
      const cpuMs = waves.reduce((n, w) => n + w.cpuMsPerRequest * w.requests, 0);
      return {
        route,
        requests,
        cpuMsPerRequest: round(cpuMs / Math.max(requests, 1), 2),
        rps: round(requests / Math.max(seconds, 1e-9), 0),
        latencyMs: summarize(storm.latencies.get(route) ?? []),
        errors: waves.reduce((n, w) => n + w.errors, 0),
      };
    });
    const baseRps = median(rounds.map((r) => r.rps));
    const medianRound = rounds.find((r) => r.rps === baseRps)!;
    const entryRps = median(entryRounds.map((r) => r.rps));
    return judge({
      machines: count,
      inFlight,
      requests: storm.waves.reduce((n, w) => n + w.requests, 0),
      seconds: round(stormSeconds, 2),
      loadAverage: { before: round(loadBefore, 1), after: round(loadAfter, 1) },
      waves: storm.waves.map((w) => ({
        ...w,
        seconds: round(w.seconds, 2),
        cpuMsPerRequest: round(w.cpuMsPerRequest, 2),
      })),
      routes,
      baseline: {
        scriptBytes,
        rps: round(baseRps, 0),
        cpuMsPerRequest: round(baseCpuMs / (ROUND_REQUESTS * BASELINE_ROUNDS), 3),
        roundsRps: rounds.map((r) => round(r.rps, 0)),
        latencyMs: summarize(medianRound.latencies),
        errors: rounds.reduce((n, r) => n + r.errors, 0),
      },
      entryScript: {
        rps: round(entryRps, 0),
        cpuMsPerRequest: round(entryCpuMs / (ROUND_REQUESTS * BASELINE_ROUNDS), 3),
        roundsRps: entryRounds.map((r) => round(r.rps, 0)),
        errors: entryRounds.reduce((n, r) => n + r.errors, 0),
      },
      errors: Object.fromEntries(storm.errors),
      machinesLost: storm.machinesLost,
      app: {
        peakRssMb: round(appPeakRss ?? Number.NaN, 0),
        rssAfterWarmUpMb: round(rssAfterWarmUp, 0),
        cpuSeconds: round(appCpu, 1),
      },
      cpuSeconds: {
        app: round(appCpu, 1),
        postgres: round(servicesAfter.postgres - servicesBefore.postgres, 1),
        redis: round(servicesAfter.redis - servicesBefore.redis, 1),
        loadGenerator: round(servicesAfter.own - servicesBefore.own, 1),
        ...(workerCpu === undefined ? {} : { worker: round(workerCpu, 1) }),
        available: round(stormSeconds * cpus().length, 1),
      },
      callbacks: {
        sent: storm.latencies.get('/cb/:token')?.length ?? 0,
        recorded: storm.callbacksRecorded,
        persisted: persisted.installerEvents,
        expected: count * 12,
      },
      deploymentsDone: persisted.done,
      systems: persisted.systems,
    });
  } finally {
    await app?.stop();
    await worker?.stop();
    await baseline?.stop();
    await core.close();
    await installation.dispose();
  }
}

async function servicesCpu() {
  const [postgres, redis] = await Promise.all([
    cpuSecondsOfCommand('postgres'),
    cpuSecondsOfCommand('redis-server'),
  ]);
  return { postgres, redis, own: ownCpuSeconds() };
}

/** Brings both servers' JIT and connection pools to speed on requests that change nothing. */
async function warmUp(client: LoadClient): Promise<void> {
  const paths = ['/boot.ipxe', '/ipxe/02-00-00-00-00-01?platform=efi&arch=x86_64', '/healthz'];
  await blast(client, WARMUP_REQUESTS, (i) => ({ method: 'GET', path: paths[i % paths.length]! }));
}

async function countPersisted(databaseUrl: string) {
  const [row] = await queryOnce<{ installer_events: string; done: string; systems: string }>(
    databaseUrl,
    `select (select count(*) from deployment_event where source = 'installer') as installer_events,
            (select count(*) from deployment where status = 'done') as done,
            (select count(*) from system) as systems`,
  );
  return {
    installerEvents: Number(row?.installer_events),
    done: Number(row?.done),
    systems: Number(row?.systems),
  };
}

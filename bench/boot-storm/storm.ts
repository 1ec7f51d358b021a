import type { LoadClient, LoadRequest } from '../support/http-load.js';
import type { Machine, Route, Wave } from './machines.js';

/** What one wave did: how many requests, in how long, and what went wrong. */
export interface WaveResult {
  name: string;
  route: Route;
  requests: number;
  seconds: number;
  errors: number;
  /** CPU time the app process spent during the wave, ms per request. */
  cpuMsPerRequest: number;
}

export interface StormRecord {
  waves: WaveResult[];
  /** Latency samples per route, ms. */
  latencies: Map<Route, number[]>;
  /** Body sizes of answers per route (the baseline answers the /ipxe/:mac size). */
  bodyBytes: Map<Route, number[]>;
  /** Problem → count, e.g. `/cb/:token: HTTP 500`. */
  errors: Map<string, number>;
  /** Callbacks the server answered with `recorded: true`. */
  callbacksRecorded: number;
  /** Machines that got no install script, so skipped the later waves. */
  machinesLost: number;
}

/**
 * Runs the waves one after the other. Inside a wave every machine sends its requests in order (an
 * installer reports its stages one by one) and all machines go at once; the client keeps its fixed
 * number in flight. A machine whose per-MAC script carried no token stops there, as a real one would.
 */
export async function runWaves(
  client: LoadClient,
  machines: Machine[],
  waves: Wave[],
  /** CPU seconds the app process has used so far. */
  appCpuSeconds: () => Promise<number>,
  /** Told each time a machine has sent all its requests of a wave (a progress bar). */
  onMachineDone?: (wave: string, done: number, total: number) => void,
): Promise<StormRecord> {
  const record: StormRecord = {
    waves: [],
    latencies: new Map(),
    bodyBytes: new Map(),
    errors: new Map(),
    callbacksRecorded: 0,
    machinesLost: 0,
  };
  const lost = new Set<number>();
  for (const wave of waves) {
    const cpuBefore = await appCpuSeconds();
    const started = performance.now();
    let requests = 0;
    let errors = 0;
    let machinesDone = 0;
    await Promise.all(
      machines.map(async (machine) => {
        if (lost.has(machine.index)) return;
        for (const step of wave.steps(machine)) {
          const answer = await client.send(step.request);
          requests++;
          push(record.latencies, step.route, answer.ms);
          push(record.bodyBytes, step.route, Buffer.byteLength(answer.body));
          const problem = answer.error ?? step.check(answer.status, answer.body);
          if (problem) {
            errors++;
            const key = `${step.route}: ${problem}`;
            record.errors.set(key, (record.errors.get(key) ?? 0) + 1);
            continue;
          }
          if (step.route === '/cb/:token') record.callbacksRecorded++;
          step.learn?.(answer.body);
        }
        if (wave.route === '/ipxe/:mac' && !machine.token) lost.add(machine.index);
        onMachineDone?.(wave.name, ++machinesDone, machines.length);
      }),
    );
    const seconds = (performance.now() - started) / 1000;
    const cpu = (await appCpuSeconds()) - cpuBefore;
    record.waves.push({
      name: wave.name,
      route: wave.route,
      requests,
      seconds,
      errors,
      cpuMsPerRequest: requests ? (cpu * 1000) / requests : 0,
    });
  }
  record.machinesLost = lost.size;
  return record;
}

/** Sends `count` requests made by `make(i)` through the client, all at once; returns requests/s. */
export async function blast(
  client: LoadClient,
  count: number,
  make: (i: number) => LoadRequest,
): Promise<{ rps: number; latencies: number[]; errors: number }> {
  const latencies: number[] = [];
  let errors = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: count }, async (_, i) => {
      const answer = await client.send(make(i));
      latencies.push(answer.ms);
      if (answer.error || answer.status !== 200) errors++;
    }),
  );
  return { rps: count / ((performance.now() - started) / 1000), latencies, errors };
}

function push<K>(map: Map<K, number[]>, key: K, value: number): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

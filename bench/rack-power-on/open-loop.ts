import { Pool } from 'undici';
import type { Machine, Route } from '../boot-storm/machines.js';
import { type LatencySummary, summarize } from '../support/stats.js';
import { timeline } from './timeline.js';

export interface OpenLoopResult {
  /** Machines powered on per second. */
  arrivalRate: number;
  machines: number;
  seconds: number;
  routes: { route: Route; requests: number; latencyMs: LatencySummary; errors: number }[];
  /** Worst p99 over the routes. */
  worstP99Ms: number;
  errors: number;
  /** First few errors, for the operator. */
  examples: string[];
}

/**
 * Powers `machines` on at a fixed rate (open loop: a machine starts on schedule whether or not the server
 * kept up with the previous ones) and plays each one's timeline. A request's latency runs from the moment
 * the machine wanted to send it, so time spent queued behind a slow server counts (no coordinated
 * omission). Connections are plentiful: each machine is its own client, as in a rack.
 */
export async function runOpenLoop(
  origin: string,
  machines: Machine[],
  arrivalRate: number,
  seed = 7,
): Promise<OpenLoopResult> {
  const pool = new Pool(origin, { connections: 1024, pipelining: 1, keepAliveTimeout: 10_000 });
  const random = mulberry32(seed);
  const latencies = new Map<Route, number[]>();
  const errorsByRoute = new Map<Route, number>();
  const examples: string[] = [];
  const started = performance.now();

  const play = async (m: Machine, startAt: number) => {
    await sleepUntil(startAt);
    let due = startAt;
    for (const { pauseMs, step } of timeline(m, random)) {
      due += pauseMs;
      await sleepUntil(due);
      let error: string | null;
      let ms: number;
      try {
        const answer = await pool.request({
          method: step.request.method,
          path: step.request.path,
          headers: step.request.headers,
          body: step.request.body,
        });
        const body = await answer.body.text();
        ms = performance.now() - due;
        error = step.check(answer.statusCode, body);
        if (!error) step.learn?.(body);
      } catch (e) {
        ms = performance.now() - due;
        error = (e as Error).message;
      }
      const samples = latencies.get(step.route) ?? [];
      samples.push(ms);
      latencies.set(step.route, samples);
      if (error) {
        errorsByRoute.set(step.route, (errorsByRoute.get(step.route) ?? 0) + 1);
        if (examples.length < 5) examples.push(`${m.hostname} ${step.route}: ${error}`);
        return; // a machine that got a wrong answer would not go on either
      }
      // The next pause starts when the answer is in, as it does on a machine.
      due = performance.now();
    }
  };
  await Promise.all(machines.map((m, i) => play(m, started + (i * 1000) / arrivalRate)));
  await pool.close();
  const routes = [...latencies.entries()].map(([route, samples]) => ({
    route,
    requests: samples.length,
    latencyMs: summarize(samples),
    errors: errorsByRoute.get(route) ?? 0,
  }));
  return {
    arrivalRate,
    machines: machines.length,
    seconds: (performance.now() - started) / 1000,
    routes,
    worstP99Ms: Math.max(0, ...routes.map((r) => r.latencyMs.p99)),
    errors: [...errorsByRoute.values()].reduce((a, b) => a + b, 0),
    examples,
  };
}

function sleepUntil(at: number): Promise<void> {
  const wait = at - performance.now();
  return wait > 0 ? new Promise((r) => setTimeout(r, wait)) : Promise.resolve();
}

/** A small seeded generator, so two runs pause alike. */
function mulberry32(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

import { setMaxListeners } from 'node:events';
import { Pool } from 'undici';

/** One request as a load generator sends it. */
export interface LoadRequest {
  method: 'GET' | 'POST';
  path: string;
  headers?: Record<string, string>;
  body?: string;
}

/** What came back, and how long it took from the first byte sent to the last byte read. */
export interface LoadAnswer {
  status: number;
  body: string;
  ms: number;
  /** Set when no HTTP answer arrived (refused, reset, timed out). */
  error?: string;
}

/**
 * A load generator for one origin: keep-alive connections (undici) and a FIFO gate that keeps at most
 * `inFlight` requests outstanding. Latency is timed from the moment a request passes the gate, so the
 * figures are the server's (queueing in the server included), not the generator's own queue.
 */
export interface LoadClient {
  send(request: LoadRequest): Promise<LoadAnswer>;
  close(): Promise<void>;
}

export interface LoadClientOptions {
  /** Requests outstanding at once (and keep-alive connections). */
  inFlight: number;
  /** Per-request limit for the headers and for the body. @defaultValue 30 000 ms */
  timeoutMs?: number;
  /** Aborts every request still waiting or running (the benchmark's overall deadline). */
  signal?: AbortSignal;
}

export function createLoadClient(origin: string, opts: LoadClientOptions): LoadClient {
  const timeout = opts.timeoutMs ?? 30_000;
  const pool = new Pool(origin, {
    connections: opts.inFlight,
    pipelining: 1,
    headersTimeout: timeout,
    bodyTimeout: timeout,
    keepAliveTimeout: 60_000,
  });
  const gate = createGate(opts.inFlight);
  // Every request in flight listens on the one deadline signal.
  if (opts.signal) setMaxListeners(0, opts.signal);
  return {
    async send(request) {
      await gate.enter();
      const started = performance.now();
      try {
        if (opts.signal?.aborted) throw new Error('benchmark deadline passed');
        const answer = await pool.request({
          method: request.method,
          path: request.path,
          headers: request.headers,
          body: request.body,
          signal: opts.signal,
        });
        const body = await answer.body.text();
        return { status: answer.statusCode, body, ms: performance.now() - started };
      } catch (error) {
        return { status: 0, body: '', ms: performance.now() - started, error: (error as Error).message };
      } finally {
        gate.leave();
      }
    },
    close: () => pool.close(),
  };
}

/** A counting semaphore that admits waiters in arrival order. */
function createGate(limit: number) {
  let active = 0;
  const waiting: (() => void)[] = [];
  return {
    enter(): Promise<void> {
      if (active < limit) {
        active++;
        return Promise.resolve();
      }
      return new Promise((admit) => waiting.push(admit));
    },
    leave(): void {
      const next = waiting.shift();
      if (next) next();
      else active--;
    },
  };
}

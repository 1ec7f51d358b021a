import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A request as the server answered it. */
export interface AnsweredRequest {
  method: string;
  /** Path and query string, as sent. */
  url: string;
  userAgent?: string;
  status: number;
  /** The response body, when the handler wrote text. */
  body: string;
  /** `Date.now()` when the answer was finished. */
  at: number;
}

/** An HTTP listener in front of a request handler (the boot server's Koa app), recording every answer. */
export interface RecordingServer {
  port: number;
  answered: AnsweredRequest[];
  /** Resolves with the first answer (past or future) matching `predicate`; rejects after `timeoutMs`. */
  waitFor(predicate: (request: AnsweredRequest) => boolean, timeoutMs: number): Promise<AnsweredRequest>;
  close(): Promise<void>;
}

/** Listens on `host:port` (0 picks a free port) and hands every request to `handler`. */
export async function startRecordingServer(
  handler: (req: IncomingMessage, res: ServerResponse) => void,
  host: string,
  port = 0,
): Promise<RecordingServer> {
  const answered: AnsweredRequest[] = [];
  const listeners = new Set<(request: AnsweredRequest) => void>();
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    const write = res.write.bind(res);
    const end = res.end.bind(res);
    // Keep a copy of the body: the assertions read the scripts the machine was given.
    res.write = ((chunk: unknown, ...rest: never[]) => {
      if (typeof chunk === 'string' || Buffer.isBuffer(chunk)) chunks.push(Buffer.from(chunk));
      return write(chunk as never, ...rest);
    }) as typeof res.write;
    res.end = ((chunk: unknown, ...rest: never[]) => {
      if (typeof chunk === 'string' || Buffer.isBuffer(chunk)) chunks.push(Buffer.from(chunk));
      return end(chunk as never, ...rest);
    }) as typeof res.end;
    res.once('finish', () => {
      const request: AnsweredRequest = {
        method: req.method ?? 'GET',
        url: req.url ?? '/',
        userAgent: req.headers['user-agent'],
        status: res.statusCode,
        body: Buffer.concat(chunks).toString('utf8'),
        at: Date.now(),
      };
      answered.push(request);
      for (const listener of listeners) listener(request);
    });
    handler(req, res);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, resolve);
  });

  return {
    port: (server.address() as AddressInfo).port,
    answered,
    waitFor(predicate, timeoutMs) {
      const seen = answered.find(predicate);
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        const listener = (request: AnsweredRequest) => {
          if (!predicate(request)) return;
          listeners.delete(listener);
          clearTimeout(timer);
          resolve(request);
        };
        const timer = setTimeout(() => {
          listeners.delete(listener);
          const urls = answered.map((r) => `${r.method} ${r.url} → ${r.status}`).join(', ') || 'none';
          reject(new Error(`no matching request within ${timeoutMs} ms; answered: ${urls}`));
        }, timeoutMs);
        listeners.add(listener);
      });
    },
    close() {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

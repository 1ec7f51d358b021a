import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { GUEST_HOST } from './qemu.js';

/** What a path answers, to any method: a file, a text body, or a bare status. */
export type FixtureRoute = { file: string } | { text: string; contentType?: string } | { status: number };

/** A request the fixture received (after its body was read). */
export interface RecordedRequest {
  method: string;
  /** Path and query string, as sent. */
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
  /** `Date.now()` on arrival. */
  at: number;
}

/** A plain HTTP server on 127.0.0.1 for QEMU guests, recording every request. */
export interface HttpFixture {
  port: number;
  /** `http://10.0.2.2:<port>`: the base URL as the guest sees it. */
  guestUrl: string;
  /** Every request so far, in arrival order. */
  requests: RecordedRequest[];
  /** Resolves with the first request (past or future) matching `predicate`. @defaultValue timeoutMs 120000 */
  waitForRequest(
    predicate: (request: RecordedRequest) => boolean,
    timeoutMs?: number,
  ): Promise<RecordedRequest>;
  close(): Promise<void>;
}

/**
 * Starts a static HTTP server on 127.0.0.1 (random port) serving `routes` by path (query ignored);
 * other paths answer 404. Meant for QEMU guests (they reach it at {@link HttpFixture.guestUrl}).
 */
export async function startHttpFixture(routes: Record<string, FixtureRoute>): Promise<HttpFixture> {
  const requests: RecordedRequest[] = [];
  const listeners = new Set<(request: RecordedRequest) => void>();
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const request: RecordedRequest = {
        method: req.method ?? 'GET',
        url: req.url ?? '/',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
        at: Date.now(),
      };
      requests.push(request);
      for (const listener of listeners) listener(request);
      answer(routes[new URL(request.url, 'http://fixture').pathname], res).catch((error: Error) => {
        if (res.headersSent) res.destroy();
        else res.writeHead(500, { 'content-type': 'text/plain' }).end(`${error.message}\n`);
      });
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;

  return {
    port,
    guestUrl: `http://${GUEST_HOST}:${port}`,
    requests,
    waitForRequest(predicate, timeoutMs = 120_000) {
      const seen = requests.find(predicate);
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        const listener = (request: RecordedRequest) => {
          if (!predicate(request)) return;
          listeners.delete(listener);
          clearTimeout(timer);
          resolve(request);
        };
        const timer = setTimeout(() => {
          listeners.delete(listener);
          const seenUrls = requests.map((r) => `${r.method} ${r.url}`).join(', ') || 'none';
          reject(new Error(`no matching request within ${timeoutMs} ms; received: ${seenUrls}`));
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

async function answer(route: FixtureRoute | undefined, res: ServerResponse) {
  if (!route) {
    res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
  } else if ('status' in route) {
    res.writeHead(route.status).end();
  } else if ('text' in route) {
    res.writeHead(200, { 'content-type': route.contentType ?? 'text/plain' }).end(route.text);
  } else {
    const { size } = await stat(route.file);
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': size });
    createReadStream(route.file).pipe(res);
  }
}

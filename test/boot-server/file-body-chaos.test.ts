import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createFileBody } from '../../boot-server/file-body.js';
import { until } from '../support/until.js';

// The sendfile engine's races, shaken: transfers of random ranges that finish, are dropped by their
// client (reading or stalled), or are cut by the server closing every connection, all at once. The
// engine must never send a wrong byte nor keep a descriptor. To run it under AddressSanitizer, see
// docs/file-delivery.md.

const dir = mkdtempSync(join(tmpdir(), 'octofleet-chaos-'));
const path = join(dir, 'data.bin');
const data = randomBytes(8 * 1024 * 1024 + 5);
writeFileSync(path, data);
const body = createFileBody();
const openFds = () => readdirSync('/proc/self/fd').length;

let server: Server;
let port: number;
beforeAll(async () => {
  // A bare node:http server around the body writer: the ranges come from the query string.
  server = createServer((req, res) => {
    const query = new URL(req.url!, 'http://here').searchParams;
    const start = Number(query.get('start'));
    const end = Number(query.get('end'));
    res.setHeader('Content-Length', end - start + 1);
    void body.write(res, path, start, end);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});
afterAll(() => {
  server?.close();
  rmSync(dir, { recursive: true, force: true });
});

type Outcome = 'whole' | 'wrong' | 'dropped' | 'cut';

function download(): Promise<Outcome> {
  const start = Math.floor(Math.random() * data.length);
  const end = Math.min(data.length - 1, start + Math.floor(Math.random() * 4 * 1024 * 1024));
  const behaviour = Math.random();
  return new Promise((resolve) => {
    const req = request(
      { host: '127.0.0.1', port, path: `/?start=${start}&end=${end}`, agent: false },
      (res) => {
        const hash = createHash('sha256');
        let bytes = 0;
        let dropped = false;
        const drop = () => {
          dropped = true;
          res.destroy();
        };
        res.on('data', (chunk: Buffer) => {
          bytes += chunk.length;
          hash.update(chunk);
          if (behaviour < 0.2 && bytes > 100_000) drop();
        });
        if (behaviour >= 0.2 && behaviour < 0.3) {
          res.pause();
          setTimeout(drop, Math.random() * 50);
        }
        res.on('close', () => {
          if (dropped) return resolve('dropped');
          if (!res.complete || bytes !== end - start + 1) return resolve('cut');
          const expected = createHash('sha256')
            .update(data.subarray(start, end + 1))
            .digest('hex');
          resolve(hash.digest('hex') === expected ? 'whole' : 'wrong');
        });
      },
    );
    req.on('error', () => resolve('cut'));
    req.end();
  });
}

it('sends only right bytes and keeps no descriptor, whatever clients and shutdowns do', async () => {
  expect(body.mode, body.reason).toBe('sendfile');
  const before = openFds();
  const outcomes: Outcome[] = [];
  const deadline = Date.now() + 4000;
  const clients = Array.from({ length: 24 }, async () => {
    while (Date.now() < deadline) outcomes.push(await download());
  });
  const cuts = (async () => {
    while (Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 400));
      server.closeAllConnections();
    }
  })();
  await Promise.all([...clients, cuts]);
  const count = (o: Outcome) => outcomes.filter((x) => x === o).length;
  expect(count('wrong')).toBe(0);
  expect(count('whole')).toBeGreaterThan(50);
  expect(count('dropped')).toBeGreaterThan(10);
  await until(() => openFds() <= before, 'every descriptor to be closed');
});

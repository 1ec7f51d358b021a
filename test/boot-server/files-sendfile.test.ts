import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { Agent, type IncomingMessage, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { until } from '../support/until.js';
import { startTestBootServer, type TestBootServer } from './helpers/boot-server-fixture.js';

// What the sendfile engine adds to files.test.ts (which runs the route's behaviour through both body
// paths): large bodies byte for byte, many at once, and descriptors let go of whichever way a transfer
// ends. The server runs in this process, so /proc/self/fd shows the engine's descriptors too.

const root = mkdtempSync(join(tmpdir(), 'octofleet-sendfile-'));
const artifacts = join(root, 'artifacts');
mkdirSync(artifacts, { recursive: true });
// Well past what loopback socket buffers hold, so transfers are still running while the tests act.
const big = randomBytes(48 * 1024 * 1024 + 777);
writeFileSync(join(artifacts, 'big.bin'), big);
const small = randomBytes(8 * 1024 * 1024 + 3);
writeFileSync(join(artifacts, 'small.bin'), small);

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');
const openFds = () => readdirSync('/proc/self/fd').length;

interface Download {
  status: number;
  headers: IncomingMessage['headers'];
  bytes: number;
  sha256: string;
  /** The connection ended before the announced length arrived. */
  cut: boolean;
}

/**
 * GET over a connection of its own (no keep-alive pool holding descriptors in this process), hashing
 * the body as it arrives. `onResponse` may pause or destroy the response.
 */
function download(
  base: string,
  path: string,
  headers: Record<string, string> = {},
  onResponse?: (res: IncomingMessage) => void,
): Promise<Download> {
  return new Promise((resolve, reject) => {
    const url = new URL(path, base);
    const req = request(url, { agent: false, headers }, (res) => {
      const hash = createHash('sha256');
      let bytes = 0;
      res.on('data', (chunk: Buffer) => {
        bytes += chunk.length;
        hash.update(chunk);
      });
      let settled = false;
      const done = (cut: boolean) => {
        if (settled) return;
        settled = true;
        resolve({ status: res.statusCode!, headers: res.headers, bytes, sha256: hash.digest('hex'), cut });
      };
      res.on('end', () => done(false));
      res.on('error', () => done(true));
      res.on('close', () => done(!res.complete));
      onResponse?.(res);
    });
    req.on('error', reject);
    req.end();
  });
}

let t: TestBootServer;
let baselineFds: number;
beforeAll(async () => {
  t = await startTestBootServer({ ARTIFACTS_DIR: artifacts });
  expect(
    t.logs.find((line) => line.msg === 'boot server listening')?.filesBody,
    'the sendfile addon is not loaded: build it with `npm ci` (or node native/sendfile/build.mjs)',
  ).toBe('sendfile');
  // One download first, so that lazily opened descriptors (the engine's epoll sets) are counted.
  await download(t.boot, '/files/small.bin');
  baselineFds = openFds();
});
afterAll(async () => {
  await t?.close();
  rmSync(root, { recursive: true, force: true });
});

describe('/files/ through the sendfile engine', () => {
  it('sends a large file byte for byte, and a download resumed from any offset', async () => {
    const whole = await download(t.boot, '/files/big.bin');
    expect(whole).toMatchObject({ status: 200, bytes: big.length, sha256: sha256(big), cut: false });
    for (const from of [1, 4096, 1024 * 1024 + 17, big.length - 1]) {
      const rest = await download(t.boot, '/files/big.bin', { range: `bytes=${from}-` });
      expect(rest.status).toBe(206);
      expect(rest.headers['content-range']).toBe(`bytes ${from}-${big.length - 1}/${big.length}`);
      expect(rest.sha256, `resumed from ${from}`).toBe(sha256(big.subarray(from)));
    }
    const middle = await download(t.boot, '/files/big.bin', { range: 'bytes=5000000-30000000' });
    expect(middle.sha256).toBe(sha256(big.subarray(5_000_000, 30_000_001)));
  });

  it('serves many downloads at once, each byte for byte', async () => {
    const downloads = await Promise.all(
      Array.from({ length: 32 }, () => download(t.boot, '/files/small.bin')),
    );
    for (const d of downloads) expect(d).toMatchObject({ status: 200, sha256: sha256(small), cut: false });
    await until(() => openFds() <= baselineFds, 'every descriptor to be closed');
  });

  it('keeps a keep-alive connection usable after a sendfile body', async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const sockets = new Set<unknown>();
    const get = (path: string) =>
      new Promise<string>((resolve, reject) => {
        request(new URL(path, t.boot), { agent }, (res) => {
          sockets.add(res.socket);
          const hash = createHash('sha256');
          res.on('data', (chunk) => hash.update(chunk));
          res.on('end', () => resolve(hash.digest('hex')));
        })
          .on('error', reject)
          .end();
      });
    try {
      expect(await get('/files/small.bin')).toBe(sha256(small));
      expect(await get('/files/big.bin')).toBe(sha256(big));
      expect(sockets.size).toBe(1);
    } finally {
      agent.destroy();
    }
  });

  it('lets go of a download the client drops half way while the others go on', async () => {
    const others = Array.from({ length: 4 }, () => download(t.boot, '/files/big.bin'));
    const dropped = await download(t.boot, '/files/big.bin', {}, (res) => {
      res.once('data', () => res.destroy());
    });
    expect(dropped.bytes).toBeLessThan(big.length);
    for (const d of await Promise.all(others))
      expect(d).toMatchObject({ bytes: big.length, sha256: sha256(big) });
    await until(() => openFds() <= baselineFds, 'every descriptor to be closed');
  });

  it('lets go of a download whose client stops reading and then goes away', async () => {
    let stalled: IncomingMessage | undefined;
    const pending = download(t.boot, '/files/big.bin', {}, (res) => {
      res.pause();
      stalled = res;
    });
    // The engine's duplicates of the socket and the file are open while the transfer waits for room.
    await until(() => openFds() >= baselineFds + 4, 'the transfer to be running');
    await new Promise((r) => setTimeout(r, 200));
    expect(openFds()).toBeGreaterThanOrEqual(baselineFds + 4);
    stalled!.destroy();
    expect((await pending).bytes).toBeLessThan(big.length);
    await until(() => openFds() <= baselineFds, 'every descriptor to be closed');
  });

  it('cuts the response when the file shrinks under a running transfer', async () => {
    const path = join(artifacts, 'shrinking.bin');
    writeFileSync(path, big);
    let paused: IncomingMessage | undefined;
    const pending = download(t.boot, '/files/shrinking.bin', {}, (res) => {
      res.pause();
      paused = res;
    });
    await until(() => paused !== undefined, 'the response to start');
    truncateSync(path, 1024 * 1024);
    paused!.resume();
    const cut = await pending;
    expect(cut.cut).toBe(true);
    expect(cut.bytes).toBeLessThan(big.length);
    await until(() => openFds() <= baselineFds, 'every descriptor to be closed');
  });
});

describe('a boot server stopping with transfers running', () => {
  it('cancels them and closes every descriptor', async () => {
    const other = await startTestBootServer({ ARTIFACTS_DIR: artifacts });
    const before = openFds();
    const stalled: IncomingMessage[] = [];
    const pending = Array.from({ length: 3 }, () =>
      download(other.boot, '/files/big.bin', {}, (res) => {
        res.pause();
        stalled.push(res);
      }),
    );
    await until(() => stalled.length === 3, 'the downloads to start');
    await other.server.stop({ graceMs: 50 });
    // The clients read what reached them before the server cut the connections.
    for (const res of stalled) res.resume();
    for (const d of await Promise.all(pending)) expect(d.bytes).toBeLessThan(big.length);
    await other.close();
    await until(() => openFds() < before, 'the connections and transfers to be closed');
    // Back to where the first server alone was.
    await until(() => openFds() <= baselineFds, 'every descriptor to be closed');
  });
});

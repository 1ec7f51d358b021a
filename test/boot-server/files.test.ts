import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { until } from '../support/until.js';
import { startTestBootServer, type TestBootServer } from './helpers/boot-server-fixture.js';

const root = mkdtempSync(join(tmpdir(), 'octofleet-files-'));
const artifacts = join(root, 'artifacts');
const wim = randomBytes(256 * 1024);
mkdirSync(join(artifacts, 'windows/ws2025'), { recursive: true });
writeFileSync(join(artifacts, 'windows/ws2025/install.wim'), wim);
writeFileSync(join(artifacts, '.env'), 'SECRET=1');
writeFileSync(join(artifacts, 'empty.img'), '');
// Larger than the biggest single read (several turns of the two reused buffers) and than what loopback
// socket buffers hold (a sendfile transfer is still running when the client has read its first chunk).
const large = randomBytes(24 * 1024 * 1024 + 4321);
writeFileSync(join(artifacts, 'large.bin'), large);
writeFileSync(join(root, 'outside.txt'), 'outside');

afterAll(() => rmSync(root, { recursive: true, force: true }));

// The same behaviour whichever way the body goes out: the sendfile addon (built by npm ci) or the
// JavaScript read/write path it falls back to.
describe.each([
  ['sendfile', true],
  ['the JavaScript path', false],
])('GET /files/* through %s', (_name, sendfile) => {
  let t: TestBootServer;
  beforeAll(async () => {
    t = await startTestBootServer({ ARTIFACTS_DIR: artifacts }, { sendfile });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('says in its log how it serves files', () => {
    const listening = t.logs.find((line) => line.msg === 'boot server listening');
    expect(listening?.filesBody).toBe(sendfile ? 'sendfile' : 'js');
    // Once, at start, when the addon is not used (here: switched off), with the reason.
    const warnings = t.logs.filter((line) => String(line.msg).startsWith('sendfile addon not used'));
    expect(warnings.map((line) => line.reason)).toEqual(sendfile ? [] : ['switched off (sendfile: false)']);
  });

  /** A request with the path exactly as given (fetch would normalise `..`). */
  function rawGet(
    path: string,
    headers: Record<string, string> = {},
  ): Promise<{ status: number; body: string }> {
    return new Promise((done, fail) => {
      const url = new URL(t.boot);
      request({ host: url.hostname, port: url.port, path, method: 'GET', headers }, (res) => {
        let body = '';
        res.on('data', (chunk) => {
          body += chunk;
        });
        res.on('end', () => done({ status: res.statusCode!, body }));
      })
        .on('error', fail)
        .end();
    });
  }

  const url = () => `${t.boot}/files/windows/ws2025/install.wim`;

  it('serves a whole file and says ranges are accepted', async () => {
    const res = await fetch(url());
    expect(res.status).toBe(200);
    expect(res.headers.get('accept-ranges')).toBe('bytes');
    expect(res.headers.get('content-length')).toBe(String(wim.length));
    expect(Buffer.from(await res.arrayBuffer()).equals(wim)).toBe(true);
  });

  it('serves a byte range with 206 (how a large install.wim download resumes)', async () => {
    const res = await fetch(url(), { headers: { range: 'bytes=1000-1999' } });
    expect(res.status).toBe(206);
    expect(res.headers.get('content-range')).toBe(`bytes 1000-1999/${wim.length}`);
    expect(Buffer.from(await res.arrayBuffer()).equals(wim.subarray(1000, 2000))).toBe(true);
  });

  it('answers 416 with the real size for a range past the end', async () => {
    const res = await fetch(url(), { headers: { range: `bytes=${wim.length + 10}-` } });
    expect(res.status).toBe(416);
    expect(res.headers.get('content-range')).toBe(`bytes */${wim.length}`);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect((await res.json()).error).toBe('files:range-not-satisfiable');
  });

  it('answers HEAD without a body and 304 for an unchanged file', async () => {
    const head = await fetch(url(), { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.headers.get('content-length')).toBe(String(wim.length));
    const etag = head.headers.get('etag')!;
    // Raw request: fetch adds Cache-Control: no-cache to conditional requests.
    expect((await rawGet('/files/windows/ws2025/install.wim', { 'if-none-match': etag })).status).toBe(304);
  });

  it('serves a file of several reads byte for byte, and a resumed download from its middle to the end', async () => {
    const whole = await fetch(`${t.boot}/files/large.bin`);
    expect(Buffer.from(await whole.arrayBuffer()).equals(large)).toBe(true);
    const from = 1024 * 1024 + 17;
    const rest = await fetch(`${t.boot}/files/large.bin`, { headers: { range: `bytes=${from}-` } });
    expect(rest.status).toBe(206);
    expect(Buffer.from(await rest.arrayBuffer()).equals(large.subarray(from))).toBe(true);
  });

  it('serves an empty file as 200 with no body', async () => {
    const res = await fetch(`${t.boot}/files/empty.img`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-length')).toBe('0');
    expect((await res.arrayBuffer()).byteLength).toBe(0);
  });

  it('closes the file when the machine drops the download half way', async () => {
    // The test and the server share this process: look for a descriptor open on the file itself.
    const servedFileOpen = () =>
      readdirSync('/proc/self/fd').some((fd) => {
        try {
          return readlinkSync(`/proc/self/fd/${fd}`).endsWith('/large.bin');
        } catch {
          return false; // closed meanwhile
        }
      });
    const controller = new AbortController();
    const res = await fetch(`${t.boot}/files/large.bin`, { signal: controller.signal });
    const reader = res.body!.getReader();
    await reader.read();
    expect(servedFileOpen()).toBe(true);
    controller.abort();
    await until(() => !servedFileOpen(), 'the served file to be closed');
  });

  it.each([
    ['a missing file', '/files/windows/ws2025/missing.wim', 404],
    ['a folder', '/files/windows/ws2025/', 404],
    ['a dotfile', '/files/.env', 404],
    ['a path out of the folder', '/files/../outside.txt', 403],
    ['an encoded path out of the folder', '/files/%2e%2e/outside.txt', 403],
  ])('refuses %s', async (_name, path, status) => {
    const res = await rawGet(path);
    expect(res.status).toBe(status);
    expect(res.body).not.toContain('outside');
    expect(res.body).not.toContain('SECRET');
    expect(JSON.parse(res.body).error).toMatch(/^(not-found|files:refused)$/);
  });
});

import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestBootServer, type TestBootServer } from './helpers/boot-server-fixture.js';

// /boot.ipxe is answered before Koa (boot-server/hot-path.ts): these check it over real HTTP, as iPXE
// asks for it, and that it answers like every other route (headers, log line, metrics, template versions).
let t: TestBootServer;

beforeAll(async () => {
  t = await startTestBootServer();
});
afterAll(async () => {
  await t?.close();
});

const entryTemplate = readFileSync('templates/ipxe/boot.ipxe.hbs', 'utf8');

describe('GET /boot.ipxe', () => {
  it('answers the entry script as plain text that no cache keeps, with its exact length', async () => {
    const res = await fetch(`${t.boot}/boot.ipxe`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    expect(res.headers.get('cache-control')).toBe('no-store');
    const body = await res.text();
    expect(body.startsWith('#!ipxe\n')).toBe(true);
    expect(body).toContain(`${t.core.config.publicBootUrl}/ipxe/`);
    expect(Number(res.headers.get('content-length'))).toBe(Buffer.byteLength(body));
  });

  it('answers HEAD with the headers only, and a query string like the bare path', async () => {
    const plain = await (await fetch(`${t.boot}/boot.ipxe`)).text();
    const head = await fetch(`${t.boot}/boot.ipxe`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(Number(head.headers.get('content-length'))).toBe(Buffer.byteLength(plain));
    expect(await head.text()).toBe('');
    expect(await (await fetch(`${t.boot}/boot.ipxe?mac=52-54-00-12-34-56`)).text()).toBe(plain);
  });

  it('leaves other methods and look-alike paths to the router', async () => {
    const post = await fetch(`${t.boot}/boot.ipxe`, { method: 'POST' });
    expect(post.status).toBe(405);
    expect(post.headers.get('allow')).toContain('GET');
    expect((await fetch(`${t.boot}/boot.ipxeX`)).status).toBe(404);
  });

  it('counts every request in the latency histogram and logs it at debug level', async () => {
    const count = async () => {
      const text = await (await t.apiFetch('/metrics')).text();
      const line = text
        .split('\n')
        .find(
          (l) =>
            l.startsWith('octofleet_http_request_duration_seconds_count{') &&
            l.includes('listener="boot"') &&
            l.includes('route="/boot.ipxe"') &&
            l.includes('status="200"') &&
            l.includes('method="GET"'),
        );
      return line ? Number(line.split(' ').pop()) : 0;
    };
    const before = await count();
    await Promise.all([1, 2, 3].map(() => fetch(`${t.boot}/boot.ipxe`).then((r) => r.text())));
    expect(await count()).toBe(before + 3);
    await t.waitForLogs(
      (logs) => logs.some((l) => l.msg === 'request' && l.path === '/boot.ipxe' && l.level === 20),
      5000,
    );
  });

  it('serves an operator’s new version of ipxe/boot.ipxe from the next request on, and the built-in again after', async () => {
    const builtin = await (await fetch(`${t.boot}/boot.ipxe`)).text();
    const content = entryTemplate.replace(/^#!ipxe\n/, '#!ipxe\n# site: rack hall B\n');
    const put = await t.apiFetch('/api/v1/templates/ipxe/boot.ipxe', { method: 'PUT', json: { content } });
    expect(put.status, await put.clone().text()).toBe(200);
    try {
      const served = await (await fetch(`${t.boot}/boot.ipxe`)).text();
      expect(served).toContain('# site: rack hall B');
    } finally {
      await t.apiFetch('/api/v1/templates/ipxe/boot.ipxe', { method: 'DELETE' });
    }
    expect(await (await fetch(`${t.boot}/boot.ipxe`)).text()).toBe(builtin);
  });
});

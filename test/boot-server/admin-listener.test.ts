import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBootServer } from '../../boot-server/create-boot-server.js';
import { alice, approver, bob } from '../support/test-core.js';
import {
  startTestBootServer,
  TEST_API_TOKEN,
  type TestBootServer,
  TINY_IMAGE,
} from './helpers/boot-server-fixture.js';

let t: TestBootServer;
const slackBodies: string[] = [];

beforeAll(async () => {
  t = await startTestBootServer(
    {},
    {
      adminMounts: [
        {
          path: '/slack/events',
          handler: (req, res) => {
            let body = '';
            req.on('data', (chunk) => {
              body += chunk;
            });
            req.on('end', () => {
              slackBodies.push(body);
              res
                .writeHead(200, { 'content-type': 'text/plain' })
                .end(`got ${req.headers['x-slack-signature']}`);
            });
          },
        },
      ],
    },
  );
  await t.core.deployments.images().create(TINY_IMAGE);
});
afterAll(() => t?.close());

describe('admin listener', () => {
  it.each([
    ['no Authorization header', undefined, 'auth:required'],
    ['a wrong token', `Bearer ${TEST_API_TOKEN.replace(/.$/, 'x')}`, 'auth:invalid'],
    ['a shorter token', 'Bearer abc', 'auth:invalid'],
    ['another scheme', `Basic ${TEST_API_TOKEN}`, 'auth:required'],
  ])('refuses %s with 401 on the API and /metrics', async (_name, authorization, error) => {
    for (const path of ['/api/v1/deployments', '/metrics', '/api/v1/nope']) {
      const res = await fetch(`${t.api}${path}`, { headers: authorization ? { authorization } : {} });
      expect([path, res.status, res.headers.get('www-authenticate'), (await res.json()).error]).toEqual([
        path,
        401,
        'Bearer',
        error,
      ]);
    }
  });

  it('exposes the metrics with the bearer token', async () => {
    await fetch(`${t.boot}/ipxe/52-54-00-aa-00-01`);
    const res = await t.apiFetch('/metrics');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
    const text = await res.text();
    expect(text).toMatch(/octofleet_ipxe_renders_total\{outcome="local",app="octofleet"\} [1-9]/);
    expect(text).toMatch(
      /octofleet_http_request_duration_seconds_count\{app="octofleet",listener="boot",method="GET",route="\/ipxe\/:mac",status="200"\} [1-9]/,
    );
  });

  it('hands mounted paths to their handler untouched: no bearer token, raw body', async () => {
    const body = JSON.stringify({ type: 'url_verification', challenge: 'c' });
    const res = await fetch(`${t.api}/slack/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-slack-signature': 'v0=abc' },
      body,
    });
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('got v0=abc');
    expect(slackBodies).toEqual([body]);
    // Not the mount: a page path of the admin listener, which sends a browser without a session to sign in.
    const outside = await fetch(`${t.api}/slack/eventsX`, { redirect: 'manual' });
    expect([outside.status, outside.headers.get('location')]).toEqual([302, '/login']);
    expect(slackBodies).toEqual([body]);
  });

  // API_TOKEN off loopback is refused by loadConfig (test/core/config/load-config.test.ts), the one place.

  it('writes access logs without tokens, passwords or the API token', async () => {
    const { deployment, password } = await t.core.deployments.request(
      { mac: '52:54:00:aa:00:02', os: 'tinylinux' },
      alice,
    );
    await t.core.deployments.approve(deployment.id, bob, approver);
    const token = t.core.deployments.tokenFor(deployment);
    await fetch(`${t.boot}/ipxe/52-54-00-aa-00-02`);
    await fetch(`${t.boot}/cb/${token}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"status":"installing"}',
    });
    await fetch(`${t.boot}/d/${token}/user-data`);
    await t.apiFetch(`/api/v1/deployments/${deployment.id}`);
    // A line is written when the server sees the response finish, which can be just after fetch returns.
    const paths = () => t.logs.filter((l) => l.msg === 'request').map((l) => l.path);
    const expected = [
      '/cb/[token]',
      '/d/[token]/user-data',
      '/ipxe/52-54-00-aa-00-02',
      `/api/v1/deployments/${deployment.id}`,
    ];
    await expect.poll(paths).toEqual(expect.arrayContaining(expected));
    const lines = t.logs.filter((l) => l.msg === 'request');
    const text = JSON.stringify(t.logs);
    expect(text).not.toContain(token.split('.')[1]);
    expect(text).not.toContain(password);
    expect(text).not.toContain(TEST_API_TOKEN);
    expect(lines.find((l) => l.path === '/cb/[token]')).toMatchObject({
      listener: 'boot',
      method: 'POST',
      status: 200,
    });
  });
});

describe('/healthz', () => {
  it('is 200 when Postgres and Redis answer', async () => {
    const res = await fetch(`${t.boot}/healthz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok', postgres: 'up', redis: 'up' });
  });

  it('is 503 naming Redis when Redis cannot be reached', async () => {
    const down = createBootServer({
      ...t.core,
      config: { ...t.core.config, REDIS_URL: 'redis://127.0.0.1:1' },
    });
    const { bootPort } = await down.start();
    try {
      const res = await fetch(`http://127.0.0.1:${bootPort}/healthz`);
      expect(res.status).toBe(503);
      expect(await res.json()).toEqual({ status: 'unavailable', postgres: 'up', redis: 'down' });
    } finally {
      await down.stop();
    }
  });
});

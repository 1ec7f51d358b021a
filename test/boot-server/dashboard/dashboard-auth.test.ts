import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSessionStore } from '../../../core/dashboard/session-store.js';
import {
  startTestBootServer,
  TEST_API_TOKEN,
  type TestBootServer,
  TINY_IMAGE,
} from '../helpers/boot-server-fixture.js';
import { postLogin, signIn } from './sign-in.js';

let t: TestBootServer;

beforeAll(async () => {
  // Behind a proxy: X-Forwarded-For names the client (rate limits), X-Forwarded-Proto the scheme.
  t = await startTestBootServer({ TRUST_PROXY: 'true' });
  await t.core.deployments.images().create(TINY_IMAGE);
});
afterAll(() => t?.close());

const from = (address: string, extra: Record<string, string> = {}) => ({
  'x-forwarded-for': address,
  ...extra,
});

describe('dashboard sign-in', () => {
  it('answers pages with a CSP without inline scripts, no framing and no sniffing', async () => {
    for (const path of ['/login', '/api/v1/deployments']) {
      const res = await fetch(`${t.api}${path}`);
      const csp = res.headers.get('content-security-policy')!;
      expect(csp).toContain("script-src 'self'");
      expect(csp).not.toContain('unsafe-inline');
      expect(csp).toContain("frame-ancestors 'none'");
      expect(res.headers.get('x-frame-options')).toBe('DENY');
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    }
  });

  it('sends pages to the sign-in form and keeps the API on bearer auth', async () => {
    const page = await fetch(`${t.api}/`, { redirect: 'manual' });
    expect([page.status, page.headers.get('location')]).toEqual([302, '/login']);
    const api = await fetch(`${t.api}/api/v1/deployments`);
    expect(api.status).toBe(401);
    expect(await api.json()).toMatchObject({ error: 'auth:required' });
    const bearer = await t.apiFetch('/api/v1/deployments');
    expect(bearer.status).toBe(200);
  });

  it('sets an HttpOnly, SameSite=Strict, expiring cookie; Secure only when the proxy says HTTPS', async () => {
    const plain = await signIn(t.api, 'alice', from('192.0.2.1'));
    expect(plain.setCookie).toMatch(/; httponly/i);
    expect(plain.setCookie).toMatch(/; samesite=strict/i);
    expect(plain.setCookie).toMatch(/; expires=/i);
    expect(plain.setCookie).not.toMatch(/; secure/i);
    const https = await signIn(t.api, 'alice', from('192.0.2.1', { 'x-forwarded-proto': 'https' }));
    expect(https.setCookie).toMatch(/; secure/i);
  });

  it('refuses a sign-in form without its CSRF token', async () => {
    const res = await postLogin(t.api, { csrf: false }, from('192.0.2.2'));
    expect(res.status).toBe(403);
    expect(res.headers.getSetCookie().some((c) => c.startsWith('octofleet_session='))).toBe(false);
  });

  it('refuses wrong tokens and, after five from one address, that address even with the right one', async () => {
    for (let i = 0; i < 5; i++) {
      const wrong = await postLogin(t.api, { token: `wrong-token-${i}-0123456789` }, from('198.51.100.7'));
      expect(wrong.status).toBe(401);
      expect(await wrong.text()).toContain('That token is not valid.');
    }
    const blocked = await postLogin(t.api, {}, from('198.51.100.7'));
    expect(blocked.status).toBe(429);
    expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThan(800);
    expect(await blocked.text()).toContain('Too many wrong tokens from your address');
    // Another address is not affected.
    expect((await postLogin(t.api, {}, from('198.51.100.8'))).status).toBe(303);
  });

  it('accepts the session on the API, state changes only with its CSRF token, recorded as platform web', async () => {
    const s = await signIn(t.api, 'carol', from('192.0.2.3'));
    const created = await t.apiFetch('/api/v1/deployments', {
      method: 'POST',
      json: { mac: '52:54:00:00:d0:01', os: 'tinylinux', hostname: 'web01' },
    });
    const { id } = (await created.json()) as { id: number };
    const approve = (headers: Record<string, string>) =>
      fetch(`${t.api}/api/v1/deployments/${id}/approve`, {
        method: 'POST',
        headers: { cookie: s.cookie, 'content-type': 'application/json', ...headers },
        body: '{}',
      });
    const refused = await approve({});
    expect(refused.status).toBe(403);
    expect(await refused.json()).toMatchObject({ error: 'auth:csrf' });
    expect((await approve({ 'x-csrf-token': 'not-the-token' })).status).toBe(403);
    expect((await (await t.apiFetch(`/api/v1/deployments/${id}`)).json()).status).toBe('pending_approval');

    const ok = await approve({ 'x-csrf-token': s.csrf });
    expect(ok.status).toBe(200);
    const detail = await (await t.apiFetch(`/api/v1/deployments/${id}`)).json();
    expect(detail.decisions).toEqual([
      expect.objectContaining({
        verdict: 'approve',
        accepted: true,
        actor: { platform: 'web', id: 'web:carol', name: 'carol' },
      }),
    ]);
  });

  it('ends the session at sign-out (with its CSRF token only)', async () => {
    const s = await signIn(t.api, 'dave', from('192.0.2.4'));
    const logout = (body: string) =>
      fetch(`${t.api}/logout`, {
        method: 'POST',
        redirect: 'manual',
        headers: { cookie: s.cookie, 'content-type': 'application/x-www-form-urlencoded' },
        body,
      });
    expect((await logout('')).status).toBe(403);
    expect((await fetch(`${t.api}/`, { headers: { cookie: s.cookie } })).status).toBe(200);
    const out = await logout(`_csrf=${encodeURIComponent(s.csrf)}`);
    expect([out.status, out.headers.get('location')]).toEqual([303, '/login']);
    const after = await fetch(`${t.api}/`, { headers: { cookie: s.cookie }, redirect: 'manual' });
    expect(after.status).toBe(302);
    expect((await fetch(`${t.api}/api/v1/deployments`, { headers: { cookie: s.cookie } })).status).toBe(401);
  });

  it('does not accept a session opened with an API token that has since changed', async () => {
    const store = createSessionStore(t.core.orm);
    const { cookie } = await store.create({ actorName: 'erin', apiToken: TEST_API_TOKEN, ttlMs: 60_000 });
    expect(await store.find(cookie, TEST_API_TOKEN)).toMatchObject({ actorName: 'erin' });
    expect(await store.find(cookie, `${TEST_API_TOKEN}-rotated`)).toBeNull();
    const expired = await store.create({ actorName: 'erin', apiToken: TEST_API_TOKEN, ttlMs: -1 });
    expect(await store.find(expired.cookie, TEST_API_TOKEN)).toBeNull();
  });
});

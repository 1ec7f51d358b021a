import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alice, approver, bob } from '../support/test-core.js';
import { startTestBootServer, type TestBootServer, TINY_IMAGE } from './helpers/boot-server-fixture.js';

// GET /r/:token/boot-failed: what a boot script's give-up path reports (templates/partials/ipxe/give-up.hbs).
let t: TestBootServer;
let nextMac = 0x10;
const freshMac = () => `52:54:00:00:0b:${(nextMac++).toString(16).padStart(2, '0')}`;

beforeAll(async () => {
  t = await startTestBootServer();
  await t.core.deployments.images().create(TINY_IMAGE);
});
afterAll(() => t?.close());

/** A deployment of `os` whose machine fetched its install script once (booting). */
async function booting(os = 'tinylinux', hostname = 'web07') {
  const mac = freshMac();
  const { deployment } = await t.core.deployments.request({ mac, os, hostname, profile: 'kvm' }, alice);
  await t.core.deployments.approve(deployment.id, bob, approver);
  const res = await fetch(`${t.boot}/ipxe/${mac}?platform=efi&manufacturer=QEMU`);
  expect(await res.text()).toContain('boot-failed?step=${octofleet-step}&code=${octofleet-errno}');
  const d = await t.core.deployments.repository().get(deployment.id);
  expect(d.status).toBe('booting');
  return { d, mac, token: t.core.deployments.tokenFor(d) };
}

const report = (token: string, query: string) => fetch(`${t.boot}/r/${token}/boot-failed?${query}`);
const get = (id: number) => t.core.deployments.repository().get(id);
const events = async (id: number) =>
  (await t.core.deployments.repository().events(id)).map((e) => [e.stage, e.state, e.message]);

describe('GET /r/:token/boot-failed', () => {
  it('fails the deployment naming the file and iPXE error of a 404, in one line', async () => {
    const { d, token } = await booting('ws2025');
    const res = await report(token, 'step=viostor.inf&code=0x2d0c613b');
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ recorded: true, status: 'failed' });
    const after = await get(d.id);
    const line =
      'web07 could not download windows/ws2025/drivers/kvm/viostor.inf (404 Not Found) — gave up, booting from disk';
    expect(after).toMatchObject({ status: 'failed', stage: 'boot_failed', failureReason: line });
    expect((await events(d.id)).at(-1)).toEqual(['boot_failed', 'failed', line]);
    // The access log names the route, never the token.
    expect(t.logs.some((l) => l.path === '/r/[token]/boot-failed')).toBe(true);
    expect(JSON.stringify(t.logs)).not.toContain(token);
  });

  it('names a rendered artifact without its token', async () => {
    const { d, token } = await booting('ws2025');
    await report(token, 'step=startnet.cmd&code=0x410c613c');
    const reason = (await get(d.id)).failureReason!;
    expect(reason).toBe(
      'web07 could not download startnet.cmd of this deployment (403 Forbidden) — gave up, booting from disk',
    );
    expect(reason).not.toContain(token);
  });

  it('reports a boot that failed after the downloads, and links ipxe.org for codes it cannot name', async () => {
    const { d, token } = await booting();
    await report(token, 'step=boot&code=0x7f123456');
    expect((await get(d.id)).failureReason).toBe(
      'web07 could not start what it downloaded (error 7f123456, https://ipxe.org/7f123456) — gave up, booting from disk',
    );
  });

  it('records a boot that returned without an error number (${errno} 0), rather than refusing it', async () => {
    const { d, token } = await booting();
    const res = await report(token, 'step=boot&code=0x00000000');
    expect(res.status).toBe(200);
    expect((await get(d.id)).failureReason).toMatch(/^web07 could not start what it downloaded/);
  });

  it('keeps a retryable failure booting with the boot counted; one report per network boot', async () => {
    const { d, mac, token } = await booting();
    const timeout = 'step=kernel&code=0x4c106035';
    const first = await report(token, timeout);
    expect(await first.json()).toEqual({ recorded: true, status: 'booting' });
    expect((await events(d.id)).at(-1)).toEqual([
      'boot_retry',
      null,
      'web07 could not download tiny/vmlinuz (Connection timed out) — gave up, booting from disk; it stays booting: network-boot it again to retry (boot 1 of 3)',
    ]);
    // The same report again (iPXE retrying the GET) is idempotent; another one for this boot is refused.
    expect(await (await report(token, timeout)).json()).toMatchObject({ recorded: false });
    const other = await report(token, 'step=initrd0&code=0x2d0c613b');
    expect(other.status).toBe(429);
    expect(await other.json()).toMatchObject({ error: 'boot-report:rate-limited' });
    expect((await get(d.id)).status).toBe('booting');
    expect((await events(d.id)).filter(([stage]) => stage === 'boot_retry')).toHaveLength(1);
    // The next network boot may report again.
    await fetch(`${t.boot}/ipxe/${mac}?platform=efi&manufacturer=QEMU`);
    const second = await report(token, 'step=initrd0&code=0x2d0c613b');
    expect(await second.json()).toEqual({ recorded: true, status: 'failed' });
  });

  it('refuses a forged or expired token with 404 and records nothing', async () => {
    const { d, token } = await booting();
    const forged = `${token.slice(0, -1)}${token.endsWith('A') ? 'B' : 'A'}`;
    expect((await report(forged, 'step=kernel&code=0x2d0c613b')).status).toBe(404);
    expect((await report('1.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA', 'step=kernel')).status).toBe(404);
    expect((await get(d.id)).status).toBe('booting');
    await t.core.deployments.cancel(d.id, bob, approver, 'test');
    expect((await report(token, 'step=kernel&code=0x2d0c613b')).status).toBe(404);
    expect((await get(d.id)).status).toBe('cancelled');
    expect((await events(d.id)).map(([stage]) => stage)).not.toContain('boot_failed');
  });

  it('never moves a deployment backwards: the installer already reported', async () => {
    const { d, token } = await booting();
    await t.core.deployments.recordEvent(d.id, { stage: 'installing', source: 'installer' });
    const res = await report(token, 'step=kernel&code=0x2d0c613b');
    expect(res.status).toBe(409);
    expect(await res.json()).toMatchObject({ error: 'boot-report:not-booting' });
    expect(await get(d.id)).toMatchObject({ status: 'installing', failureReason: null });
  });

  it('refuses a report before any install script was served', async () => {
    const { deployment } = await t.core.deployments.request({ mac: freshMac(), os: 'tinylinux' }, alice);
    await t.core.deployments.approve(deployment.id, bob, approver);
    const res = await report(t.core.deployments.tokenFor(deployment), 'step=kernel&code=0x2d0c613b');
    expect(res.status).toBe(409);
    expect((await get(deployment.id)).status).toBe('approved');
  });

  it.each([
    ['a step that is not a plain name', 'step=%3Cb%3E&code=0x2d0c613b', 'boot-report:bad-step'],
    ['no step', 'code=0x2d0c613b', 'boot-report:bad-step'],
    ['a code that is not an iPXE error number', 'step=kernel&code=%60rm%60', 'boot-report:bad-code'],
  ])('answers 422 for %s and records nothing', async (_name, query, code) => {
    const { d, token } = await booting();
    const res = await report(token, query);
    expect(res.status).toBe(422);
    expect(await res.json()).toMatchObject({ error: code });
    expect((await get(d.id)).status).toBe('booting');
  });
});

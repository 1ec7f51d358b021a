// The dashboard in a real Chromium (Debian's package, driven by playwright-core) against the real
// `npm start` with the shell chat adapter: what an operator sees and what chat says about it.
import { copyFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browserSkipReason, launchBrowser } from '../support/browser.js';
import { type RunningApp, startApp } from '../support/npm-start.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
// Every run saves its screenshots here; UPDATE_SCREENSHOTS=1 also refreshes the ones in docs/.
const SHOTS = join(ROOT, 'var/screenshots/dashboard');
const DOCS_SHOTS = join(ROOT, 'docs/images');
const XSS = '<img src=x onerror=alert(1)>';
const skip = browserSkipReason();
if (skip) console.warn(`dashboard browser tests ${skip}`);

let app: RunningApp;
let browser: Awaited<ReturnType<typeof launchBrowser>>;
let page: Page;
/** Every alert/confirm a page opened: injected script would show up here. */
const dialogs: string[] = [];

async function shot(name: string, target: Page = page) {
  const file = join(SHOTS, `dashboard-${name}.png`);
  await target.screenshot({ path: file, fullPage: true });
  if (process.env.UPDATE_SCREENSHOTS === '1') await copyFile(file, join(DOCS_SHOTS, `dashboard-${name}.png`));
}

const api = (path: string, init: { method?: string; json?: unknown; cookie?: string } = {}) =>
  fetch(`${app.api}${path}`, {
    method: init.method ?? (init.json ? 'POST' : 'GET'),
    redirect: 'manual',
    headers: {
      ...(init.cookie ? { cookie: init.cookie } : { authorization: `Bearer ${app.apiToken}` }),
      ...(init.json ? { 'content-type': 'application/json' } : {}),
    },
    body: init.json ? JSON.stringify(init.json) : undefined,
  });

async function requestViaApi(mac: string, hostname: string): Promise<number> {
  const res = await api('/api/v1/deployments', { json: { mac, os: 'tinylinux', hostname } });
  expect(res.status).toBe(201);
  return ((await res.json()) as { id: number }).id;
}

const row = (id: number) => page.locator(`tr[data-id="${id}"]`);

describe.skipIf(skip)('dashboard in Chromium', () => {
  beforeAll(async () => {
    await mkdir(SHOTS, { recursive: true });
    app = await startApp();
    for (const image of [
      { id: 'tinylinux', name: 'Tiny Linux' },
      { id: 'xss', name: XSS },
    ]) {
      const res = await api('/api/v1/images', {
        json: {
          ...image,
          family: 'linux',
          boot: {
            method: 'linux',
            kernel: 'tiny/vmlinuz',
            initrd: ['tiny/initrd.gz'],
            cmdline: 'cb={{callbackUrl}}',
          },
        },
      });
      expect(res.status).toBe(201);
    }
    // A viewer far from UTC: times must show in their zone.
    browser = await launchBrowser({ timezoneId: 'America/New_York', locale: 'en-US' });
    page = await browser.context.newPage();
    page.on('dialog', (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await app?.stop();
  });

  it('refuses a wrong token and signs in with the right one into an HttpOnly, SameSite=Strict session cookie', async () => {
    await page.goto(`${app.api}/`);
    expect(new URL(page.url()).pathname).toBe('/login');
    await page.fill('input[name=token]', 'not-the-token-at-all');
    const [refused] = await Promise.all([
      page.waitForResponse((r) => r.url().endsWith('/login') && r.request().method() === 'POST'),
      page.click('button[type=submit]'),
    ]);
    expect(refused.status()).toBe(401);
    await expect.poll(() => page.locator('[role=alert]').textContent()).toBe('That token is not valid.');
    expect((await browser.context.cookies()).some((c) => c.name === 'octofleet_session')).toBe(false);
    await shot('login');

    await page.fill('input[name=token]', app.apiToken);
    await page.fill('input[name=name]', 'alice');
    await Promise.all([page.waitForURL(`${app.api}/`), page.click('button[type=submit]')]);
    const session = (await browser.context.cookies()).find((c) => c.name === 'octofleet_session');
    expect(session).toMatchObject({ httpOnly: true, sameSite: 'Strict', secure: false, path: '/' });
    // Expiring: DASHBOARD_SESSION_HOURS (12 by default), not a browser-session cookie.
    const hours = (session!.expires - Date.now() / 1000) / 3600;
    expect(hours).toBeGreaterThan(11.9);
    expect(hours).toBeLessThan(12.01);
    await expect.poll(() => page.locator('#live').getAttribute('data-state')).toBe('live');
  });

  it('shows a deployment requested through the API, live, and approves it from the page', async () => {
    const id = await requestViaApi('52:54:00:da:5b:01', 'api-made');
    // Appears without a reload: the stream told the page.
    await expect.poll(() => row(id).textContent(), { timeout: 5000 }).toContain('api-made');
    await expect
      .poll(() => row(id).locator('[data-label=State]').textContent())
      .toContain('Pending approval');
    expect(await row(id).textContent()).toContain('52:54:00:da:5b:01');
    await app.printed(new RegExp(`┌─ Deployment #${id}: Tiny Linux → api-made`));

    await row(id).locator('button[data-action=approve]').click();
    await expect.poll(() => row(id).locator('[data-label=State]').textContent()).toContain('Approved');
    expect(await row(id).locator('[data-label="Approved by"]').textContent()).toContain('alice');
    await app.printed(new RegExp(`\\[#${id}\\] 👍 Approved by alice\\.`));
    const detail = (await (await api(`/api/v1/deployments/${id}`)).json()) as {
      decisions: { verdict: string; accepted: boolean; actor: { platform: string; name: string } }[];
    };
    expect(detail.decisions).toEqual([
      expect.objectContaining({
        verdict: 'approve',
        accepted: true,
        actor: expect.objectContaining({ platform: 'web', name: 'alice' }),
      }),
    ]);
  });

  it('shows an installer callback on an open deployment page without a reload, HTML as text', async () => {
    const mac = '52:54:00:da:5b:02';
    const id = await requestViaApi(mac, 'web02');
    expect((await api(`/api/v1/deployments/${id}/approve`, { json: {} })).status).toBe(200);
    const script = await (
      await fetch(`${app.boot}/ipxe/${mac}?platform=efi&arch=x86_64&manufacturer=QEMU`)
    ).text();
    const callback = /cb=(http:\/\/\S+)/.exec(script)![1]!;

    await page.goto(`${app.api}/deployments/${id}`);
    await expect.poll(() => page.locator('#live').getAttribute('data-state')).toBe('live');
    await page.evaluate(() => {
      (window as unknown as { notReloaded: boolean }).notReloaded = true;
    });
    const message = `${XSS} <b>partitioning</b> & <script>alert(2)</script>`;
    const posted = Date.now();
    const res = await fetch(callback, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ status: 'installing', message }).toString(),
    });
    expect(res.status).toBe(200);
    await page.locator('td.msg', { hasText: '<b>partitioning</b>' }).waitFor({ timeout: 5000 });
    const seenAfterMs = Date.now() - posted;
    console.info(`callback visible in the open page ${seenAfterMs} ms after the POST`);
    expect(await page.locator('td.msg', { hasText: 'partitioning' }).textContent()).toBe(message);
    expect(await page.locator('.head-state').textContent()).toContain('Installing');
    expect(await page.locator('tr[data-event]').last().textContent()).toContain('Installing');
    expect(await page.evaluate(() => (window as unknown as { notReloaded?: boolean }).notReloaded)).toBe(
      true,
    );
    // In the viewer's zone, UTC on hover.
    const time = page.locator('tr[data-event] time').last();
    const iso = (await time.getAttribute('datetime'))!;
    const local = new Intl.DateTimeFormat('en-US', {
      dateStyle: 'medium',
      timeStyle: 'medium',
      timeZone: 'America/New_York',
    });
    expect(await time.textContent()).toBe(local.format(new Date(iso)));
    expect(await time.getAttribute('title')).toBe(`${iso.slice(0, 19).replace('T', ' ')} UTC`);
    expect(await page.locator('img[src="x"], main b, main script').count()).toBe(0);
    // Progress as the installer reports it, for the queue's progress column.
    await fetch(callback, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'status=image_downloading&progress=45',
    });
    await expect.poll(() => page.locator('.bar').textContent()).toContain('45%');
    await shot('deployment');
  });

  it('renders an image named with HTML as text on the images page and in the dialog', async () => {
    await page.goto(`${app.api}/images`);
    const cell = page.locator('td[data-label=Name]', { hasText: 'onerror' });
    expect(await cell.textContent()).toBe(XSS);
    expect(await page.locator('img[src="x"]').count()).toBe(0);
    await shot('images');
    await page.goto(`${app.api}/`);
    await page.click('#new-deployment');
    expect(await page.locator('#new-os option[value=xss]').textContent()).toBe(`${XSS} (xss)`);
    expect(dialogs).toEqual([]);
    await page.keyboard.press('Escape');
  });

  it('requests a deployment from the New deployment dialog: chat shows its card, bad input the same message as chat', async () => {
    await page.goto(`${app.api}/`);
    await page.click('#new-deployment');
    await page.fill('#new-form input[name=mac]', '52:54:00:zz:00:01');
    await page.selectOption('#new-os', 'tinylinux');
    await page.click('#new-form button[type=submit]');
    await expect
      .poll(() => page.locator('#new-error').textContent())
      .toBe('"52:54:00:zz:00:01" is not a MAC address: only hex digits (0-9, a-f) are allowed');

    await page.fill('#new-form input[name=mac]', '52-54-00-DA-5B-03');
    await page.fill('#new-form input[name=hostname]', 'web-new');
    await shot('new-deployment');
    await page.click('#new-form button[type=submit]');
    const [, id] = (await app.printed(
      /┌─ Deployment #(\d+): Tiny Linux → web-new\n│ ⏳ Waiting for approval/,
    )) as unknown as [string, string];
    await expect.poll(() => page.locator('#toast').textContent()).toContain(`Deployment #${id} requested`);
    await expect.poll(() => row(Number(id)).textContent()).toContain('alice');
    // The note with the password stays until dismissed.
    await page.locator('#toast').click();
    expect(await page.locator('#toast').isHidden()).toBe(true);
    await shot('queue');
  });

  it('refuses a state change without the CSRF token and changes nothing', async () => {
    const id = await requestViaApi('52:54:00:da:5b:04', 'csrf01');
    await page.goto(`${app.api}/`);
    const answer = await page.evaluate(async (target) => {
      const res = await fetch(`/api/v1/deployments/${target}/approve`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{}',
      });
      return { status: res.status, body: await res.json() };
    }, id);
    expect(answer).toEqual({ status: 403, body: expect.objectContaining({ error: 'auth:csrf' }) });
    const logout = await page.evaluate(
      async () => (await fetch('/logout', { method: 'POST', body: new URLSearchParams() })).status,
    );
    expect(logout).toBe(403);
    const after = (await (await api(`/api/v1/deployments/${id}`)).json()) as {
      status: string;
      decisions: unknown[];
    };
    expect(after).toMatchObject({ status: 'pending_approval', decisions: [] });
  });

  it('lists a machine that finished in the systems registry', async () => {
    const mac = '52:54:00:da:5b:05';
    const id = await requestViaApi(mac, 'db05');
    expect((await api(`/api/v1/deployments/${id}/approve`, { json: {} })).status).toBe(200);
    const script = await (
      await fetch(
        `${app.boot}/ipxe/${mac}?platform=pcbios&arch=x86_64&manufacturer=Dell%20Inc.&product=PowerEdge%20R650`,
      )
    ).text();
    const callback = /cb=(http:\/\/\S+)/.exec(script)![1]!;
    const done = await fetch(callback, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"status":"done"}',
    });
    expect(done.status).toBe(200);
    await page.goto(`${app.api}/systems`);
    const line = page.locator('tbody tr', { hasText: 'db05' });
    expect(await line.textContent()).toContain('Dell Inc. PowerEdge R650');
    expect(await line.textContent()).toContain(mac);
    await shot('systems');
  });

  it('lists the machine inventory without BMC secrets', async () => {
    const put = await api('/api/v1/machines/rack12-web01', {
      method: 'PUT',
      json: {
        mac: '52:54:00:da:5b:06',
        bmc: { driver: 'ipmi', address: '10.1.2.3', username: 'admin', password: 'bmc-secret-pw' },
        bootMode: 'legacy',
        tags: ['rack12'],
      },
    });
    expect(put.status).toBe(201);
    await page.goto(`${app.api}/machines`);
    const line = page.locator('tbody tr', { hasText: 'rack12-web01' });
    expect(await line.textContent()).toContain('ipmi 10.1.2.3');
    expect(await line.textContent()).toContain('legacy');
    expect(await page.content()).not.toContain('bmc-secret-pw');
    await shot('machines');

    // The New deployment dialog offers the machine instead of a MAC.
    await page.goto(`${app.api}/`);
    await page.click('#new-deployment');
    await page.selectOption('#new-form select[name=machine]', 'rack12-web01');
    await page.selectOption('#new-os', 'tinylinux');
    await page.click('#new-form button[type=submit]');
    await app.printed(/┌─ Deployment #\d+: Tiny Linux → rack12-web01\n/);
    await page.locator('#toast').click();
  });

  it('is usable from the keyboard: the dialog opens, takes focus and closes with Escape', async () => {
    await page.goto(`${app.api}/`);
    let focused = '';
    for (let i = 0; i < 20 && focused !== 'new-deployment'; i++) {
      await page.keyboard.press('Tab');
      focused = await page.evaluate(() => document.activeElement?.id ?? '');
    }
    expect(focused).toBe('new-deployment');
    await page.keyboard.press('Enter');
    expect(await page.locator('#new-dialog').evaluate((d) => (d as HTMLDialogElement).open)).toBe(true);
    // Focus moved into the dialog, on its first field (the machine when the inventory has any, else the MAC).
    expect(
      await page.evaluate(() => {
        const el = document.activeElement as HTMLInputElement | null;
        return [el?.closest('dialog')?.id, el?.name];
      }),
    ).toEqual(['new-dialog', expect.stringMatching(/^(machine|mac)$/)]);
    await page.keyboard.press('Escape');
    expect(await page.locator('#new-dialog').evaluate((d) => (d as HTMLDialogElement).open)).toBe(false);
  });

  it('is readable on a phone', async () => {
    const phone = await browser.context.newPage();
    await phone.setViewportSize({ width: 390, height: 844 });
    await phone.goto(`${app.api}/`);
    // Cells carry their column's name, since a phone shows no table header.
    expect(await phone.locator('tr[data-id] td[data-label=MAC]').first().isVisible()).toBe(true);
    const overflow = await phone.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    await shot('phone', phone);
    await phone.close();
  });

  it('signs out: the session ends, and its cookie no longer opens pages or the API', async () => {
    await page.goto(`${app.api}/`);
    const cookie = (await browser.context.cookies()).find((c) => c.name === 'octofleet_session')!;
    await Promise.all([page.waitForURL(`${app.api}/login`), page.click('text=Sign out')]);
    expect((await browser.context.cookies()).some((c) => c.name === 'octofleet_session')).toBe(false);
    const replay = `octofleet_session=${cookie.value}`;
    const pageAnswer = await api('/', { cookie: replay });
    expect([pageAnswer.status, pageAnswer.headers.get('location')]).toEqual([302, '/login']);
    expect((await api('/api/v1/deployments', { cookie: replay })).status).toBe(401);
  });
});

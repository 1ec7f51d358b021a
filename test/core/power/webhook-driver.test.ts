import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { BmcError } from '../../../core/power/power-driver.js';
import { WebhookDriver } from '../../../core/power/webhook-driver.js';
import {
  signWebhook,
  verifyWebhook,
  WEBHOOK_REPLAY_WINDOW_SECONDS,
} from '../../../core/power/webhook-signature.js';

const SECRET = 'webhook-secret-0123456789';
interface Received {
  headers: IncomingMessage['headers'];
  body: string;
  verdict: ReturnType<typeof verifyWebhook>;
}
let close: (() => Promise<void>) | undefined;
afterEach(async () => {
  await close?.();
  close = undefined;
});

/** An operator's receiver: verifies like docs/power.md says, answers `status` with a power state. */
async function receiver(answer: (r: Received) => { status: number; body?: unknown }) {
  const received: Received[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => {
      body += c;
    });
    req.on('end', () => {
      const r = { headers: req.headers, body, verdict: verifyWebhook(SECRET, req.headers, body) };
      received.push(r);
      const { status, body: out } = r.verdict ? { status: 401, body: { error: r.verdict } } : answer(r);
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(out === undefined ? '' : JSON.stringify(out));
    });
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  close = () => new Promise((done) => server.close(() => done()));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/power`, received };
}

const machine = { name: 'pve01', mac: '52:54:00:00:00:01' };

describe('webhook driver', () => {
  it('POSTs signed JSON for every action; the receiver verifies it and answers the power state', async () => {
    const r = await receiver(({ body }) =>
      JSON.parse(body).action === 'status' ? { status: 200, body: { power: 'on' } } : { status: 204 },
    );
    const d = new WebhookDriver({ url: r.url, secret: SECRET, machine });
    expect(await d.pxeOnce('uefi')).toMatchObject({ verified: true });
    await d.cycle();
    expect(await d.status()).toBe('on');
    await d.close();
    expect(r.received.map((x) => x.verdict)).toEqual([null, null, null]);
    expect(r.received.map((x) => JSON.parse(x.body))).toEqual([
      { action: 'pxe-once', machine, bootMode: 'uefi' },
      { action: 'cycle', machine },
      { action: 'status', machine },
    ]);
    expect(new Set(r.received.map((x) => x.headers['x-octofleet-delivery'])).size).toBe(3);
    expect(
      r.received.every((x) => !x.body.includes(SECRET) && !JSON.stringify(x.headers).includes(SECRET)),
    ).toBe(true);
  });

  it('a receiver refuses a replay outside the window, a changed body, and a wrong secret', () => {
    const body = JSON.stringify({ action: 'on', machine });
    const signedAt = new Date('2026-12-04T21:00:00Z');
    const headers = signWebhook(SECRET, body, signedAt);
    expect(verifyWebhook(SECRET, headers, body, { now: signedAt })).toBeNull();
    const later = (s: number) => new Date(signedAt.getTime() + s * 1000);
    expect(verifyWebhook(SECRET, headers, body, { now: later(WEBHOOK_REPLAY_WINDOW_SECONDS) })).toBeNull();
    expect(verifyWebhook(SECRET, headers, body, { now: later(WEBHOOK_REPLAY_WINDOW_SECONDS + 1) })).toBe(
      'stale',
    );
    expect(verifyWebhook(SECRET, headers, body.replace('on', 'off'), { now: signedAt })).toBe(
      'bad-signature',
    );
    // The timestamp is signed too: moving it forward to pass the window breaks the signature.
    const moved = { ...headers, 'x-octofleet-timestamp': String(Math.floor(later(600).getTime() / 1000)) };
    expect(verifyWebhook(SECRET, moved, body, { now: later(600) })).toBe('bad-signature');
    expect(verifyWebhook('another-secret-0123456', headers, body, { now: signedAt })).toBe('bad-signature');
    expect(verifyWebhook(SECRET, {}, body)).toBe('missing');
  });

  it("reports the receiver's refusal in its words; 5xx is transient", async () => {
    const r = await receiver(() => ({ status: 500, body: { error: 'pve: VM 101 locked (backup)' } }));
    const e = await new WebhookDriver({ url: r.url, secret: SECRET, machine }).on().catch((x: unknown) => x);
    expect(e).toBeInstanceOf(BmcError);
    expect(e).toMatchObject({ code: 'bmc:busy', transient: true });
    expect((e as Error).message).toContain('VM 101 locked (backup)');
    const wrong = await new WebhookDriver({ url: r.url, secret: 'not-the-secret-0123', machine })
      .on()
      .catch((x: unknown) => x);
    expect(wrong).toMatchObject({ code: 'bmc:auth', transient: false });
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { watchdogReason } from '../../worker/processors/watchdog.js';
import { cardOf, cardShows, deploy, type Harness, startHarness, threadShows } from './support/harness.js';

// Approval expires after 0.6 s and a booting machine that never reports fails after 0.6 s; the other
// watchdogs keep their defaults so they cannot fire during a test.
let h: Harness;
beforeAll(async () => {
  h = await startHarness({ APPROVAL_TIMEOUT_MINUTES: '0.01', WATCHDOG_BOOTING_MINUTES: '0.01' });
});
afterAll(async () => {
  await h?.close();
});

describe('approval expiry', () => {
  it('expires an unapproved request at its deadline; the card says so and a late ✅ is refused', async () => {
    const id = await deploy(h, 'alice', 'mac:52:54:00:bb:00:01 os:ubuntu2404');
    const card = await cardOf(h, id);
    expect(h.platform.cardOf(id)!.card.footer).toMatch(
      /^React ✅ to approve or ❌ to reject\. Expires \d{4}-\d\d-\d\d \d\d:\d\d UTC if nobody decides\.$/,
    );
    await cardShows(h, id, 'expired');
    expect(h.platform.cardOf(id)!.card.statusLine).toBe('⌛ Expired — nobody approved it in time');
    const late = await h.platform.react('bob', card, 'approve');
    expect(late).toMatchObject({ ok: false, code: 'deploy:already-decided' });
    expect(late.text).toBe(`⚠️ deployment #${id} was already expired`);
    expect(h.platform.threadsOpened).not.toContain(id);
  });

  it('a request approved in time does not expire later', async () => {
    const id = await deploy(h, 'alice', 'mac:52:54:00:bb:00:02 os:ubuntu2404');
    // Approved straight away (well inside the 0.6 s window), without waiting for the card.
    await h.core.deployments.approve(id, { platform: 'discord', id: 'bob', name: 'bob' }, { approver: true });
    await threadShows(h, id, /Approved by bob/);
    // The expiry job was removed on approval; a stray one would find the request decided.
    expect(await h.queues.expire.getJob(`expire-${id}`)).toBeUndefined();
    expect((await h.core.deployments.repository().get(id)).status).toBe('approved');
  });
});

describe('watchdog', () => {
  it('fails a machine that booted but never reported, with a reason that says what to check', async () => {
    const id = await deploy(h, 'alice', 'mac:52:54:00:bb:00:03 os:ubuntu2404');
    await h.platform.react('bob', await cardOf(h, id), 'approve');
    await h.core.deployments.markBooting(id, { platform: 'efi', arch: 'x86_64' }, 'kvm');
    await threadShows(h, id, /^⏰ Failed:/);
    await cardShows(h, id, 'failed');
    expect(h.platform.threadLines(id).at(-1)).toBe(
      "⏰ Failed: the installer did not report within 1 s of booting (check the machine's console: did the installer start and reach the callback URL?)",
    );
    const d = await h.core.deployments.repository().get(id);
    expect(d).toMatchObject({ status: 'failed', stage: 'watchdog' });
  });

  it('leaves a deployment alone once it moved on', async () => {
    const id = await deploy(h, 'alice', 'mac:52:54:00:bb:00:04 os:ubuntu2404');
    await h.platform.react('bob', await cardOf(h, id), 'approve');
    await h.core.deployments.markBooting(id, { platform: 'efi', arch: 'x86_64' }, 'kvm');
    await h.core.deployments.recordEvent(id, { stage: 'installing', source: 'installer' });
    await threadShows(h, id, /Installing/);
    // The booting watchdog was dropped when the state changed; run the check by hand to prove it would no-op.
    await h.core.deployments.failIfStale(id, 'booting', new Date(), 'should not apply');
    expect((await h.core.deployments.repository().get(id)).status).toBe('installing');
    expect(await h.queues.watchdog.getJob(`watchdog-${id}-booting`)).toBeUndefined();
    expect(await h.queues.watchdog.getJob(`watchdog-${id}-installing`)).toBeDefined();
  });
});

describe('watchdog reasons', () => {
  it.each([
    ['approved', 240, /did not PXE-boot within 240 min of approval/],
    ['booting', 30, /installer did not report within 30 min of booting/],
    ['installing', 90, /no news from the installer for 90 min/],
    ['configuring', 60, /first boot did not finish within 60 min/],
  ] as const)('%s after %i minutes', (state, minutes, expected) => {
    expect(watchdogReason(state, minutes)).toMatch(expected);
  });
});

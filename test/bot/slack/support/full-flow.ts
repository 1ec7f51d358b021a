import { expect } from 'vitest';
import { METHOD_SCOPES } from './scopes.js';
import { APPROVER, CHANNEL, OPERATOR, type SlackHarness } from './slack-harness.js';
import {
  cardOf,
  cardShows,
  ephemeralShows,
  hasButtons,
  requestedId,
  threadLines,
  threadShows,
  visibleText,
} from './slack-views.js';

const form = (url: string, fields: Record<string, string>) =>
  fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(fields).toString(),
  });

/**
 * `/deploy` in Slack → card with ✅/❌ → an approver's ✅ → the machine fetches its iPXE script from the
 * boot server and the installer calls back → `done`; asserts what the channel, the thread and each user
 * were shown.
 */
export async function fullFlow(h: SlackHarness, mac: string): Promise<void> {
  const { fake } = h;
  const seen = fake.ephemeralsFor(OPERATOR).length;
  const ack = await h.command(OPERATOR, '/deploy', `mac:${mac} os:ubuntu2404 hostname:srv01`);
  expect(ack.acked).toBe(true);
  const id = await requestedId(h, OPERATOR, seen);

  // The generated password: ephemeral to the requester only, never in the channel.
  const secret = await ephemeralShows(
    h,
    OPERATOR,
    new RegExp(`Deployment #${id} \\(srv01\\): user \\S+, password`),
  );
  const password = /password (\S+)/.exec(secret.text)![1]!;
  expect(password.length).toBeGreaterThanOrEqual(12);

  const card = await cardOf(h, id);
  expect(visibleText(card)).toMatch(/Waiting for approval/);
  expect(visibleText(card)).toContain('React ✅ to approve or ❌ to reject, or use the buttons.');
  expect(hasButtons(card)).toBe(true);
  await fake.waitFor(() => fake.state.reactionsBy(CHANNEL, card.ts, fake.botUserId).length === 2, 5000);
  expect(fake.state.reactionsBy(CHANNEL, card.ts, fake.botUserId)).toEqual(['white_check_mark', 'x']);

  const reaction = await h.react(APPROVER, card.ts, 'white_check_mark');
  expect(reaction.acked).toBe(true);
  await ephemeralShows(h, APPROVER, new RegExp(`You approved deployment #${id}\\.`));
  await threadShows(h, card.ts, /Approved by approver/);
  await cardShows(h, card.ts, /Approved by approver/);
  expect(hasButtons(fake.state.findMessage(CHANNEL, card.ts)!)).toBe(false);

  // The machine PXE-boots: the boot server hands out its install script, the installer reports back.
  const script = await fetch(`${h.bootUrl}/ipxe/${mac}?platform=efi&manufacturer=QEMU&product=Standard%20PC`);
  expect(script.status).toBe(200);
  expect(await script.text()).toMatch(/^#!ipxe/);
  const d = await h.core.deployments.repository().get(id);
  const cb = `${h.bootUrl}/cb/${h.core.deployments.tokenFor(d)}`;
  await threadShows(h, card.ts, /Booting/);
  const callbacks: Record<string, string>[] = [
    { status: 'installer', message: 'subiquity <started> & running' },
    { status: 'image_downloading', progress: '45' },
    { status: 'late_command' },
    { status: 'first_boot' },
    { status: 'done' },
  ];
  for (const fields of callbacks) {
    expect((await form(cb, fields)).status).toBe(200);
  }
  await threadShows(h, card.ts, /Done in/, 30_000);
  await cardShows(h, card.ts, /Done in/);

  const lines = threadLines(h, card.ts);
  const order = [
    /^👍 Approved by approver\. The machine may PXE-boot now/,
    /^🟢 Booting — UEFI/,
    // Escaped for Slack: a user sees "subiquity <started> & running", nothing is parsed as a link.
    /^⚙️ Installer — subiquity &lt;started&gt; &amp; running$/,
    /Installation finished/,
    /First boot/,
    /^✅ Done in \S+ — srv01/,
  ];
  let at = -1;
  for (const pattern of order) {
    const next = lines.findIndex((l, i) => i > at && pattern.test(l));
    expect(next, `thread line ${pattern} after line ${at} in:\n${lines.join('\n')}`).toBeGreaterThan(at);
    at = next;
  }
  // Every reply is in the card's thread; the channel holds nothing but the card.
  expect(fake.channelMessages(CHANNEL).filter((m) => m.text.includes(`#${id}`))).toHaveLength(1);

  const everything = JSON.stringify([
    fake.state.messages.get(CHANNEL),
    fake.state.calls.filter((c) => c.method !== 'chat.postEphemeral').map((c) => c.params),
    fake.state.responseUrlPosts.filter((p) => p.outcome !== 'ephemeral'),
    h.logs,
  ]);
  expect(everything).not.toContain(password);
  expect(fake.state.rateLimited).toEqual([]);
  const unknown = [...new Set(fake.state.calls.map((c) => c.method))].filter((m) => !(m in METHOD_SCOPES));
  expect(unknown, 'Web API methods the manifest test does not know the scope of').toEqual([]);
}

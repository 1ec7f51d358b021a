import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cardOf, cardShows, deploy, type Harness, startHarness, threadShows } from './support/harness.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.close();
});

describe('a deployment from /deploy to done', () => {
  it('posts the card, opens the thread on approval and shows every stage in order', async () => {
    const id = await deploy(h, 'alice', 'os:ubuntu2404 mac:52-54-00-12-34-56 hostname:srv01');
    const card = await cardOf(h, id);
    expect(h.platform.cardOf(id)!.card).toMatchObject({ status: 'pending_approval', awaitingDecision: true });
    const secret = h.platform.privateMessages.find((m) => m.user.id === 'alice')!.text;
    const password = /password (\S+)/.exec(secret)![1]!;

    const approval = await h.platform.react('bob', card, 'approve');
    expect(approval.text).toMatch(/approved/);
    await threadShows(h, id, /Approved by bob/);

    const d = h.core.deployments;
    await d.markBooting(
      id,
      { platform: 'efi', arch: 'x86_64', manufacturer: 'QEMU', product: 'Standard PC' },
      'kvm',
    );
    await threadShows(h, id, /Booting/);
    await d.recordEvent(id, { stage: 'installer', source: 'installer', message: 'subiquity started' });
    await d.recordEvent(id, { stage: 'image_downloading', progress: 45, source: 'installer' });
    await d.recordEvent(id, { stage: 'image_downloading', progress: 80, source: 'installer' });
    await d.recordEvent(id, { stage: 'late_command', source: 'installer' });
    await d.recordEvent(id, { stage: 'first_boot', source: 'installer' });
    await d.recordEvent(id, { stage: 'done', source: 'installer' });
    await threadShows(h, id, /Done in/);
    await cardShows(h, id, 'done');

    const lines = h.platform.threadLines(id);
    expect(lines).toEqual([
      expect.stringMatching(/^👍 Approved by bob\. The machine may PXE-boot now/),
      '🟢 Booting — UEFI, KVM detected',
      '⚙️ Installer — subiquity started',
      '📦 Downloading image 45%',
      '📋 Installation finished',
      '🚀 First boot',
      expect.stringMatching(/^✅ Done in \d+s — srv01, SSH ready$/),
      expect.stringMatching(/^⏱ approval \d+s · power-on \d+s · boot \d+s · install \d+s · first boot \d+s$/),
    ]);
    const all = JSON.stringify([
      ...h.platform.threads.values(),
      ...[...h.platform.cards.values()].map((c) => c.versions),
    ]);
    expect(all).not.toContain(password);
    expect(h.platform.rateLimited).toBe(0);
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, settled, startHarness } from './support/harness.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ BATCH_DIGEST_MS: '300' }, { limits: 'discord', timeScale: 0.2 });
});
afterAll(() => h?.close());

const SIZE = 60;
const macs = Array.from(
  { length: SIZE },
  (_, i) => `52:54:00:0b:00:${(i + 1).toString(16).padStart(2, '0')}`,
);

describe('a batch of 60 from /deploy to its summary', () => {
  it('shows one card, takes one ✅, keeps one thread of digest lines with a failure line and a summary', async () => {
    const reply = await h.platform.command(
      'alice',
      `/deploy mac:${macs.join(',')} hostname:web[01-60] os:ubuntu2404`,
    );
    expect(reply.text).toMatch(
      /^📝 Batch #\d+ requested: Ubuntu Server 24\.04 LTS on 60 machine\(s\) \(web01 … web60\)/,
    );
    const batchId = Number(/Batch #(\d+)/.exec(reply.text)![1]);
    // The passwords went privately, in messages short enough for Discord.
    const secrets = h.platform.privateMessages.filter((m) => m.user.id === 'alice').map((m) => m.text);
    expect(secrets.join('\n').match(/: \S{20}$/gm)).toHaveLength(SIZE);
    for (const s of secrets) expect(s.length).toBeLessThanOrEqual(2000);

    await h.platform.waitFor(() => Boolean(h.platform.batchCardOf(batchId)), 'the batch card');
    const card = h.platform.batchCardOf(batchId)!;
    expect(card.card).toMatchObject({
      title: `Batch #${batchId}: Ubuntu Server 24.04 LTS → 60 machines`,
      statusLine: '⏳ awaiting approval 60',
      awaitingDecision: true,
    });
    expect(card.card.batch!.rows).toHaveLength(SIZE);
    await settled(h);
    expect(h.platform.cards.size).toBe(1); // no card per machine

    expect((await h.platform.react('bob', card.messageId, 'approve')).text).toBe(
      `✅ You approved batch #${batchId} (60 machines).`,
    );
    const again = await h.platform.react('carol', card.messageId, 'approve');
    expect(again).toMatchObject({ ok: false, code: 'batch:already-decided' });
    const members = await h.core.batches.repository().members(batchId);
    expect(members.every((m) => m.status === 'approved')).toBe(true);

    const svc = h.core.deployments;
    for (const m of members) await svc.markBooting(m.id, { platform: 'efi', arch: 'x86_64' }, 'kvm');
    for (const m of members) {
      await svc.recordEvent(m.id, { stage: 'installing', source: 'installer' });
      await svc.recordEvent(m.id, { stage: 'image_downloading', progress: 40, source: 'installer' });
    }
    const failing = members[6]!; // web07
    await svc.recordEvent(failing.id, {
      stage: 'failed',
      message: 'disk /dev/vda not found',
      source: 'installer',
    });
    for (const m of members)
      if (m.id !== failing.id) await svc.recordEvent(m.id, { stage: 'done', source: 'installer' });
    await settled(h, 60_000);
    await h.platform.waitFor(
      () => h.platform.batchThread(batchId).some((m) => m.startsWith('🏁')),
      'the summary',
      30_000,
    );

    // One thread, under the batch card; nothing went to per-machine threads.
    expect(h.platform.threadsOpened).toEqual([-batchId]);
    const thread = h.platform.batchThread(batchId);
    expect(thread[0]).toBe(`👍 Approved by bob with batch #${batchId}: 60 machine(s) may PXE-boot now.`);
    const failure = thread.filter((m) => m.startsWith('❌'));
    expect(failure).toEqual([
      expect.stringMatching(/^❌ web07 #\d+ failed after \d+s — disk \/dev\/vda not found$/),
    ]);
    expect(thread.at(-1)).toMatch(
      /^🏁 Batch #\d+ finished: 59 done · 1 failed of 60\n⏱ fastest web\d\d .*\n⏱ median per phase: .*\n❌ web07 #\d+: disk \/dev\/vda not found$/,
    );
    // Digest lines: several machines per message, each change exactly once and in order per machine.
    const tokens = thread.filter((m) => !/^(👍|❌|🏁)/.test(m)).flatMap((m) => m.split(' · '));
    expect(thread.length).toBeLessThan(SIZE);
    for (let i = 1; i <= SIZE; i++) {
      const name = `web${String(i).padStart(2, '0')}`;
      const mine = tokens.filter((t) => t.startsWith(`${name} `)).map((t) => t.slice(name.length + 1));
      expect(mine, name).toEqual(
        name === 'web07' ? ['🟢 booting', '⚙️ installing'] : ['🟢 booting', '⚙️ installing', '✅ done'],
      );
    }
    // Installer stages (Downloading image 40%) never became thread lines.
    expect(thread.join('\n')).not.toContain('Downloading image');
    // The card ends on the summary: failures first.
    const final = h.platform.batchCardOf(batchId)!.card;
    expect(final.statusLine).toBe('❌ done 59 · failed 1');
    expect(final.batch!.rows[0]).toMatch(/^❌ web07 #\d+ — failed: disk \/dev\/vda not found$/);
    expect(h.platform.rateLimited).toBe(0);
  }, 180_000);
});

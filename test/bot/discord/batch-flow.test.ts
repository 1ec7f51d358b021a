import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DiscordHarness, startDiscordHarness } from './support/discord-harness.js';
import { shown, slash, threadLines } from './support/discord-user.js';

let h: DiscordHarness;
beforeAll(async () => {
  h = await startDiscordHarness({ env: { BATCH_DIGEST_MS: '300' } });
});
afterAll(() => h?.close());

const SIZE = 60;
const macs = Array.from(
  { length: SIZE },
  (_, i) => `52:54:00:0d:00:${(i + 1).toString(16).padStart(2, '0')}`,
);
const deploys = () => h.fake.channelId('deploys');
const batchCard = (id: number) =>
  h.fake.state
    .visibleMessages(deploys())
    .find((m) => shown(m.embeds[0]?.title ?? '').startsWith(`Batch #${id}:`));

describe('Discord: a batch of 60', () => {
  it('one card within the embed limits, one ✅, one thread of digests with a failure line and the summary', {
    timeout: 180_000,
  }, async () => {
    const { answers } = await slash(
      h,
      'bob',
      'deploy',
      { mac: macs.join(','), hostname: 'web[01-60]', os: 'ubuntu2404' },
      3,
    );
    const text = answers.map((a) => a.text).join('\n');
    const id = Number(/Batch #(\d+) requested/.exec(text)?.[1]);
    expect(id, text).toBeGreaterThan(0);
    // Passwords privately, split to fit Discord's 2000 characters.
    expect(answers.filter((a) => a.text.startsWith('🔑')).every((a) => a.ephemeral)).toBe(true);

    const card = await h.fake.waitFor(() => batchCard(id) ?? null, 30_000, 'the batch card');
    expect(shown(card.content).split('\n')).toEqual([
      `**Batch #${id}: Ubuntu Server 24.04 LTS → 60 machines**`,
      '⏳ awaiting approval 60',
    ]);
    const description = shown(card.embeds[0]!.description!);
    expect(description.split('\n').filter((l) => l.startsWith('⏳ web'))).toHaveLength(SIZE);
    expect(JSON.stringify(card.components)).toContain(`"custom_id":"octofleet:approve:b${id}"`);
    // No card per machine.
    expect(h.fake.state.visibleMessages(deploys()).filter((m) => m.embeds.length)).toHaveLength(1);

    h.fake.addReaction('alice', 'deploys', card.id, '✅');
    await h.fake.waitFor(
      () => shown(batchCard(id)?.content ?? '').split('\n')[1] === '👍 waiting 60',
      30_000,
      'the card showing every member approved',
    );
    h.fake.addReaction('carol', 'deploys', card.id, '✅');
    const members = await h.core.batches.repository().members(id);
    const svc = h.core.deployments;
    for (const m of members) await svc.markBooting(m.id, { platform: 'efi', arch: 'x86_64' }, 'kvm');
    for (const m of members) await svc.recordEvent(m.id, { stage: 'installing', source: 'installer' });
    const failing = members[9]!;
    await svc.recordEvent(failing.id, { stage: 'failed', message: 'no disk', source: 'installer' });
    for (const m of members)
      if (m !== failing) await svc.recordEvent(m.id, { stage: 'done', source: 'installer' });

    const threadId = card.id;
    const lines = await h.fake.waitFor(
      () => {
        const all = threadLines(h, threadId);
        return all.some((l) => l.startsWith('🏁')) ? all : null;
      },
      90_000,
      'the summary',
    );
    // One thread, under the batch card.
    expect([...h.fake.state.channels.values()].filter((c) => c.parentId === deploys())).toHaveLength(1);
    expect(lines[0]).toBe(`👍 Approved by alice with batch #${id}: 60 machine(s) may PXE-boot now.`);
    expect(lines.filter((l) => l.startsWith('❌'))).toEqual([
      expect.stringMatching(/^❌ web10 #\d+ failed after \d+s — no disk$/),
      expect.stringMatching(/^❌ web10 #\d+: no disk$/),
    ]);
    expect(lines.find((l) => l.startsWith('🏁'))).toBe(`🏁 Batch #${id} finished: 59 done · 1 failed of 60`);
    const tokens = lines.filter((l) => /^web\d\d /.test(l)).flatMap((l) => l.split(' · '));
    for (const m of members) {
      const mine = tokens.filter((t) => t.startsWith(`${m.hostname} `));
      expect(mine.length, m.hostname).toBe(m === failing ? 2 : 3);
    }
    const decisions = await h.core.batches.repository().decisions(id);
    expect(decisions.filter((d) => d.accepted)).toHaveLength(1);
    const final = await h.fake.waitFor(
      () => {
        const c = batchCard(id);
        return c && shown(c.content).includes('done 59') ? c : null;
      },
      30_000,
      'the final card',
    );
    expect(shown(final.content).split('\n')[1]).toBe('❌ done 59 · failed 1');
    expect(shown(final.embeds[0]!.description!).split('\n\n')[1]!.split('\n')[0]).toMatch(
      /^❌ web10 #\d+ — failed: no disk$/,
    );
    expect(h.fake.state.rateLimited.total).toBe(0);
  });
});

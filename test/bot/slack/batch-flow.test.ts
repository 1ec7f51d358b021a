import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  APPROVER,
  CHANNEL,
  LISTED_APPROVER,
  OPERATOR,
  type SlackHarness,
  startSlackHarness,
} from './support/slack-harness.js';
import { cardShows, ephemeralShows, threadLines, visibleText } from './support/slack-views.js';

let h: SlackHarness;
beforeAll(async () => {
  h = await startSlackHarness({ mode: 'http', env: { BATCH_DIGEST_MS: '300' } });
});
afterAll(() => h?.close());

const SIZE = 60;
const macs = Array.from(
  { length: SIZE },
  (_, i) => `52:54:00:5b:00:${(i + 1).toString(16).padStart(2, '0')}`,
);

describe('Slack: a batch of 60', () => {
  it('one card within Block Kit limits, one ✅, one thread of digests with a failure line and the summary', {
    timeout: 240_000,
  }, async () => {
    const seen = h.fake.ephemeralsFor(OPERATOR).length;
    await h.command(OPERATOR, '/deploy', `mac:${macs.join(',')} hostname:web[01-60] os:ubuntu2404`);
    const requested = await ephemeralShows(h, OPERATOR, /Batch #\d+ requested/, 30_000);
    const id = Number(/Batch #(\d+) requested/.exec(requested.text)![1]);
    expect(h.fake.ephemeralsFor(OPERATOR).length).toBeGreaterThan(seen);

    const card = await h.fake.waitFor(
      () => h.fake.channelMessages(CHANNEL).find((m) => m.text.startsWith(`Batch #${id}:`)),
      30_000,
      'the batch card',
    );
    const shown = visibleText(card);
    expect(shown).toContain(`Batch #${id}: Ubuntu Server 24.04 LTS → 60 machines`);
    expect(shown).toContain('⏳ awaiting approval 60');
    // Every block within Slack's limits (the fake refuses more than 3000 characters per section).
    expect(shown.split('\n').filter((l) => l.startsWith('⏳ web')).length).toBe(SIZE);
    expect(h.fake.channelMessages(CHANNEL).filter((m) => m.text.startsWith('Deployment #'))).toEqual([]);

    await h.react(APPROVER, card.ts, 'white_check_mark');
    await ephemeralShows(h, APPROVER, new RegExp(`You approved batch #${id} \\(60 machines\\)\\.`), 20_000);
    await cardShows(h, card.ts, /👍 waiting 60/, 30_000);
    await h.react(LISTED_APPROVER, card.ts, 'white_check_mark');

    const members = await h.core.batches.repository().members(id);
    const svc = h.core.deployments;
    for (const m of members) await svc.markBooting(m.id, { platform: 'efi', arch: 'x86_64' }, 'kvm');
    for (const m of members) await svc.recordEvent(m.id, { stage: 'installing', source: 'installer' });
    const failing = members[9]!;
    await svc.recordEvent(failing.id, { stage: 'failed', message: 'no disk', source: 'installer' });
    for (const m of members)
      if (m !== failing) await svc.recordEvent(m.id, { stage: 'done', source: 'installer' });

    await h.fake.waitFor(
      () => threadLines(h, card.ts).some((l) => l.startsWith('🏁')),
      120_000,
      'the summary',
    );
    const lines = threadLines(h, card.ts);
    expect(lines[0]).toBe(`👍 Approved by approver with batch #${id}: 60 machine(s) may PXE-boot now.`);
    expect(lines.filter((l) => l.startsWith('❌'))).toEqual([
      expect.stringMatching(/^❌ web10 #\d+ failed after \d+s — no disk$/),
      expect.stringMatching(/^❌ web10 #\d+: no disk$/),
    ]);
    expect(lines).toContain(`🏁 Batch #${id} finished: 59 done · 1 failed of 60`);
    const tokens = lines.filter((l) => /^web\d\d /.test(l)).flatMap((l) => l.split(' · '));
    for (const m of members) {
      expect(tokens.filter((t) => t.startsWith(`${m.hostname} `)).length, m.hostname).toBe(
        m === failing ? 2 : 3,
      );
    }
    // Digests: far fewer messages than machines (Slack allows about one per second in a channel).
    expect(h.fake.thread(CHANNEL, card.ts).length).toBeLessThan(SIZE);
    expect((await h.core.batches.repository().decisions(id)).filter((d) => d.accepted)).toHaveLength(1);
    await cardShows(h, card.ts, /❌ done 59 · failed 1/, 60_000);
    expect(h.fake.state.rateLimited).toEqual([]);
  });
});

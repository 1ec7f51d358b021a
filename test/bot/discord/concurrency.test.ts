import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DiscordHarness, startDiscordHarness } from './support/discord-harness.js';
import { callback, card, cardShows, deploy, threadLines, threadShows } from './support/discord-user.js';

// Discord's per-channel windows run ten times faster here, on both sides (the fake enforces them, the
// adapter declares them to the notifier), so twenty deployments finish in seconds, not minutes.
const FAST = { limit: 5, windowMs: 500 };
let h: DiscordHarness;
beforeAll(async () => {
  h = await startDiscordHarness({
    fake: {
      rateLimits: { channelMessages: FAST, messageEdits: FAST, reactions: { limit: 1, windowMs: 25 } },
    },
    rateLimits: { channelMessages: FAST, messageEdits: FAST },
  });
});
afterAll(async () => {
  await h?.close();
});

const COUNT = 20;
const macOf = (n: number) => `52:54:00:dd:00:${n.toString(16).padStart(2, '0')}`;

describe('twenty deployments at once in one channel', () => {
  it('every card and thread complete and in order, and Discord never answers 429', async () => {
    const ids = await Promise.all(
      Array.from({ length: COUNT }, async (_, n) => {
        const { id } = await deploy(h, n % 2 ? 'bob' : 'dave', {
          mac: macOf(n),
          os: 'ubuntu2404',
          hostname: `node${n}`,
        });
        return id;
      }),
    );
    const cards = await Promise.all(ids.map((id) => card(h, id)));
    cards.forEach((c, n) => {
      h.fake.addReaction(n % 2 ? 'alice' : 'carol', 'deploys', c.id, '✅');
    });
    await Promise.all(ids.map((id) => cardShows(h, id, /^👍 Approved/)));

    await Promise.all(
      ids.map(async (id, n) => {
        await fetch(`${h.bootUrl}/ipxe/${macOf(n)}?platform=efi&manufacturer=QEMU`);
        await callback(h, id, { status: 'installer', message: `node${n} installing` });
        await callback(h, id, { status: 'late_command' });
        await callback(h, id, { status: 'done' });
      }),
    );
    await Promise.all(ids.map((id) => cardShows(h, id, /^✅ Done in /)));
    await Promise.all(cards.map((c) => threadShows(h, c.id, /^⏱ /)));

    cards.forEach((c, n) => {
      expect(threadLines(h, c.id)).toEqual([
        expect.stringMatching(new RegExp(`^👍 Approved by ${n % 2 ? 'alice' : 'carol'}\\. `)),
        '🟢 Booting — UEFI, KVM detected by manufacturer "QEMU"',
        `⚙️ Installer — node${n} installing`,
        '📋 Installation finished',
        expect.stringMatching(new RegExp(`^✅ Done in \\d+s — node${n}, SSH ready$`)),
        expect.stringMatching(/^⏱ /),
      ]);
    });
    // One card per deployment, each with the bot's ✅ and ❌ under it. Twenty cards edited at once are
    // more than the channel's 5 edits per 5 s: the channel may also show a board, which takes no decision.
    const posted = h.fake.state.visibleMessages(h.fake.channelId('deploys')).filter((m) => m.embeds.length);
    const isBoard = (m: (typeof posted)[number]) => JSON.stringify(m.embeds).includes('Channel board: ');
    expect(posted.filter((m) => !isBoard(m))).toHaveLength(COUNT);
    expect(posted.filter(isBoard).length).toBeLessThanOrEqual(1);
    for (const c of posted.filter((m) => !isBoard(m)))
      expect(c.reactions.get('❌')).toContain(h.fake.botUserId);
    for (const b of posted.filter(isBoard)) expect(b.reactions.size).toBe(0);
    expect(h.fake.state.rateLimited).toEqual({ total: 0, global: 0, route: 0 });
    expect(h.fake.state.invalidRequests).toBe(0);
  }, 90_000);
});

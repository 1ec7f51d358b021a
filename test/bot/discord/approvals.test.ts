import { PermissionFlagsBits } from 'discord.js';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type DiscordHarness, startDiscordHarness } from './support/discord-harness.js';
import { answers, card, cardShows, deploy, status } from './support/discord-user.js';

let h: DiscordHarness;
let nextMac = 0x10;
const mac = () => `52:54:00:bb:00:${(nextMac++).toString(16).padStart(2, '0')}`;

beforeAll(async () => {
  h = await startDiscordHarness();
});
afterAll(async () => {
  await h?.close();
});

const reactors = (messageId: string, emoji: string) =>
  h.fake.state.messageById.get(messageId)?.reactions.get(emoji) ?? [];
const decisions = async (id: number) =>
  (await h.core.deployments.repository().decisions(id)).map(
    (d) => `${d.actorName}:${d.verdict}:${d.accepted}`,
  );

/** A pending request by `user` and its card, once the bot's own ✅ ❌ are on it. */
async function pending(user: string) {
  const { id } = await deploy(h, user, { mac: mac(), os: 'ubuntu2404' });
  const posted = await card(h, id);
  await h.fake.waitFor(() => reactors(posted.id, '❌').includes(h.fake.botUserId), 10_000, 'bot reactions');
  return { id, cardId: posted.id };
}

/** Waits until `user`'s `emoji` is gone from the card again. */
const takenBack = (cardId: string, user: string, emoji: string) =>
  h.fake.waitFor(
    () => !reactors(cardId, emoji).includes(h.fake.userId(user)),
    10_000,
    `${user}'s ${emoji} removed`,
  );

describe('approval by reaction', () => {
  it("a non-approver's ✅ is removed and changes nothing", async () => {
    const { id, cardId } = await pending('alice');
    h.fake.addReaction('dave', 'deploys', cardId, '✅');
    await takenBack(cardId, 'dave', '✅');
    expect(await status(h, id)).toBe('pending_approval');
    expect(await decisions(id)).toEqual(['dave:approve:false']);
    expect(h.fake.state.messageById.get(cardId)!.edits).toEqual([]);
  });

  it('refuses self-approval: the requester’s ✅ is removed, even from an approver', async () => {
    const { id, cardId } = await pending('alice');
    h.fake.addReaction('alice', 'deploys', cardId, '✅');
    await takenBack(cardId, 'alice', '✅');
    expect(await status(h, id)).toBe('pending_approval');
    expect(await decisions(id)).toEqual(['alice:approve:false']);
  });

  it('❌ by the requester rejects: the card says so, buttons go, no thread', async () => {
    const { id, cardId } = await pending('bob');
    h.fake.addReaction('bob', 'deploys', cardId, '❌');
    const rejected = await cardShows(h, id, /^🚫 Rejected by bob$/);
    expect(rejected.components).toEqual([]);
    expect(h.fake.state.channels.has(cardId)).toBe(false);
    expect(reactors(cardId, '❌')).toContain(h.fake.userId('bob'));
  });

  it('❌ by someone who is neither requester nor approver is removed', async () => {
    const { id, cardId } = await pending('bob');
    h.fake.addReaction('dave', 'deploys', cardId, '❌');
    await takenBack(cardId, 'dave', '❌');
    expect(await status(h, id)).toBe('pending_approval');
  });

  it('checks roles when the decision is made: a role taken away a moment ago no longer approves', async () => {
    const { id, cardId } = await pending('bob');
    const carol = h.fake.state.members.get(h.fake.userId('carol'))!;
    const roles = carol.roles;
    carol.roles = [];
    try {
      h.fake.addReaction('carol', 'deploys', cardId, '✅');
      await takenBack(cardId, 'carol', '✅');
      expect(await status(h, id)).toBe('pending_approval');
    } finally {
      carol.roles = roles;
    }
  });

  it('fails closed when the role check cannot be made', async () => {
    const { id, cardId } = await pending('bob');
    // discord.js retries a 5xx three times; all four attempts fail.
    h.fake.failNext(4, 500, 'GET /guilds/:guild/members/:user');
    h.fake.addReaction('carol', 'deploys', cardId, '✅');
    await takenBack(cardId, 'carol', '✅');
    expect(await status(h, id)).toBe('pending_approval');
    expect(await decisions(id)).toEqual(['carol:approve:false']);
  });

  it('the Approve button follows the same rules and answers only the one who pressed it', async () => {
    const { id, cardId } = await pending('bob');
    const press = (user: string) =>
      h.fake.sendInteraction({
        kind: 'button',
        customId: `octofleet:approve:${id}`,
        messageId: cardId,
        user,
      });
    const refused = press('dave');
    const [no] = await h.fake.waitFor(() => answers(h, refused).length > 0 && answers(h, refused));
    expect(no).toEqual({
      text: `⚠️ dave is not an approver for deployment #${id}`,
      ephemeral: true,
      embedTitles: [],
    });
    expect(await status(h, id)).toBe('pending_approval');
    const accepted = press('alice');
    const [yes] = await h.fake.waitFor(() => answers(h, accepted).length > 0 && answers(h, accepted));
    expect(yes).toMatchObject({ text: `✅ You approved deployment #${id}.`, ephemeral: true });
    await cardShows(h, id, /^👍 Approved/);
  });
});

describe('approvals across bot restarts', () => {
  it('a ✅ on a card posted before the restart still approves (the new client never saw it)', async () => {
    const { id, cardId } = await pending('bob');
    await h.stopBot();
    await h.startBot();
    h.fake.addReaction('alice', 'deploys', cardId, '✅');
    await cardShows(h, id, /^👍 Approved/);
    expect(await decisions(id)).toEqual(['alice:approve:true']);
  });

  it('reactions made while the bot was away are applied on start, refused ones removed', async () => {
    const a = await pending('bob');
    const b = await pending('bob');
    await h.stopBot();
    h.fake.addReaction('dave', 'deploys', a.cardId, '✅');
    h.fake.addReaction('alice', 'deploys', a.cardId, '✅');
    // Both verdicts on one card while away, order unknown: the safe one wins.
    h.fake.addReaction('alice', 'deploys', b.cardId, '✅');
    h.fake.addReaction('bob', 'deploys', b.cardId, '❌');
    await h.startBot();
    await cardShows(h, a.id, /^👍 Approved/);
    await takenBack(a.cardId, 'dave', '✅');
    await cardShows(h, b.id, /^🚫 Rejected by bob$/);
    expect((await decisions(a.id)).sort()).toEqual(['alice:approve:true', 'dave:approve:false']);
    expect((await card(h, a.id)).embeds[0]!.footer?.text).toMatch(/^Approved by alice\./);
    expect(await decisions(b.id)).toEqual(['bob:reject:true', 'alice:approve:false']);
    expect(h.fake.state.rateLimited.total).toBe(0);
  });

  it('without Manage Messages a refused ✅ stays (still changing nothing) and no 403 is earned', async () => {
    const { id, cardId } = await pending('bob');
    const botRole = [...h.fake.state.roles.values()].find((r) => r.name === 'Octofleet')!;
    const granted = botRole.permissions;
    await h.stopBot();
    botRole.permissions = (BigInt(granted) & ~PermissionFlagsBits.ManageMessages).toString();
    try {
      await h.startBot(); // the new session's GUILD_CREATE carries the reduced permissions
      const invalid = h.fake.state.invalidRequests;
      h.fake.addReaction('dave', 'deploys', cardId, '✅');
      await vi.waitFor(async () => expect(await decisions(id)).toEqual(['dave:approve:false']), 10_000);
      await h.botPlatform.settled(); // the bot has done all it was going to do about that reaction
      expect(reactors(cardId, '✅')).toContain(h.fake.userId('dave'));
      expect(h.fake.state.calls.filter((c) => c.method === 'DELETE' && c.path.includes(cardId))).toEqual([]);
      expect(h.fake.state.invalidRequests).toBe(invalid);
    } finally {
      await h.stopBot();
      botRole.permissions = granted;
      await h.startBot();
    }
  });
});

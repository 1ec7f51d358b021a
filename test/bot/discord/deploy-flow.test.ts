import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DiscordHarness, startDiscordHarness } from './support/discord-harness.js';
import {
  callback,
  card,
  cardShows,
  deploy,
  shown,
  status,
  threadLines,
  threadShows,
} from './support/discord-user.js';

let h: DiscordHarness;
beforeAll(async () => {
  h = await startDiscordHarness();
});
afterAll(async () => {
  await h?.close();
});

const deploys = () => h.fake.channelId('deploys');
const reactedBy = (messageId: string, emoji: string) =>
  h.fake.state.messageById.get(messageId)?.reactions.get(emoji) ?? [];

describe('Discord: from /deploy to done', () => {
  it('card, ✅, thread with every stage from the real boot server, password only ephemeral', async () => {
    const mac = '00:15:5d:01:02:03';
    const { id, answers } = await deploy(h, 'bob', { mac, os: 'ubuntu2404', hostname: 'srv01' });

    // The requester alone sees the password and the confirmation.
    expect(answers.every((a) => a.ephemeral)).toBe(true);
    expect(answers[0]!.text).toMatch(
      new RegExp(`^🔑 Deployment #${id} \\(srv01\\): user octofleet, password \\S+`),
    );
    const password = /password (\S+) —/.exec(answers[0]!.text)![1]!;
    expect(answers[1]!.text).toMatch(
      new RegExp(
        `^📝 Deployment #${id} requested: Ubuntu Server 24\\.04 LTS on ${mac} as srv01\\. .*sent to you privately\\.$`,
      ),
    );

    // The card: content, embed, buttons, and the bot's own ✅ ❌.
    const posted = await card(h, id);
    expect(shown(posted.content).split('\n')).toEqual([
      `**Deployment #${id}: Ubuntu Server 24.04 LTS → srv01**`,
      '⏳ Waiting for approval',
    ]);
    const embed = posted.embeds[0]!;
    expect(embed.fields!.map((f) => `${f.name}=${shown(f.value)}`)).toEqual([
      'Requested by=bob',
      `MAC=${mac}`,
      'OS=Ubuntu Server 24.04 LTS',
      'Hostname=srv01',
      'Profile=auto',
    ]);
    expect(embed.footer?.text).toMatch(
      /^React ✅ to approve or ❌ to reject \(or use the buttons\)\. Expires /,
    );
    expect(JSON.stringify(posted.components)).toContain(`"custom_id":"octofleet:approve:${id}"`);
    expect(JSON.stringify(posted.components)).toContain(`"custom_id":"octofleet:reject:${id}"`);
    await h.fake.waitFor(
      () => reactedBy(posted.id, '❌').includes(h.fake.botUserId),
      10_000,
      'bot reactions',
    );
    expect(reactedBy(posted.id, '✅')).toEqual([h.fake.botUserId]);

    // An approver's ✅ approves: the card changes, buttons go, the thread opens under the card.
    h.fake.addReaction('alice', 'deploys', posted.id, '✅');
    const approved = await cardShows(h, id, /^👍 Approved/);
    expect(approved.components).toEqual([]);
    const threadId = posted.id;
    await threadShows(h, threadId, /^👍 Approved by alice\. The machine may PXE-boot now/);
    expect(h.fake.state.channels.get(threadId)).toMatchObject({
      name: `Deployment #${id}: Ubuntu Server 24.04 LTS → srv01`,
      parentId: deploys(),
    });

    // The machine PXE-boots from the real boot server and the installer calls back.
    const ipxe = await fetch(
      `${h.bootUrl}/ipxe/00-15-5D-01-02-03?platform=efi&arch=x86_64&manufacturer=QEMU`,
    );
    expect((await ipxe.text()).startsWith('#!ipxe')).toBe(true);
    await threadShows(h, threadId, /^🟢 Booting — UEFI, KVM detected$/);
    await callback(h, id, { status: 'installer', message: 'subiquity started' });
    await callback(h, id, { status: 'image_downloading', progress: 45 });
    await threadShows(h, threadId, /^📦 Downloading image 45%$/);
    await callback(h, id, { status: 'image_downloading', progress: 80 });
    await cardShows(h, id, /^⚙️ Installing — Downloading image 80%$/);
    await callback(h, id, { status: 'late_command' });
    await callback(h, id, { status: 'first_boot' });
    await callback(h, id, { status: 'done' });
    await threadShows(h, threadId, /^⏱ /);
    const done = await cardShows(h, id, /^✅ Done in /);

    expect(threadLines(h, threadId)).toEqual([
      expect.stringMatching(/^👍 Approved by alice\. The machine may PXE-boot now/),
      '🟢 Booting — UEFI, KVM detected',
      '⚙️ Installer — subiquity started',
      '📦 Downloading image 45%',
      '📋 Installation finished',
      '🚀 First boot',
      expect.stringMatching(/^✅ Done in \d+s — srv01, SSH ready$/),
      expect.stringMatching(/^⏱ approval \d+s · power-on \d+s · boot \d+s · install \d+s · first boot \d+s$/),
    ]);
    expect(done.embeds[0]!.footer?.text).toMatch(/^Approved by alice · /);
    expect(await status(h, id)).toBe('done');

    // The password is in no message anyone else can see, and in no call but the interaction's own.
    const everyone = [...h.fake.state.visibleMessages(deploys()), ...h.fake.state.visibleMessages(threadId)];
    expect(JSON.stringify(everyone.map((m) => [m.content, m.embeds, m.edits]))).not.toContain(password);
    const carrying = h.fake.state.calls.filter((c) => JSON.stringify(c.body ?? '').includes(password));
    expect(carrying.map((c) => `${c.method} ${c.route}`)).toEqual([
      'PATCH /webhooks/:app/:token/messages/:message',
    ]);

    // Nobody is ever mentioned, and Discord never had to say 429.
    const posts = h.fake.state.calls.filter(
      (c) => c.method === 'POST' && c.route === '/channels/:channel/messages',
    );
    expect(posts.length).toBeGreaterThan(5);
    for (const p of posts)
      expect((p.body as { allowed_mentions?: unknown }).allowed_mentions).toEqual({ parse: [] });
    expect(h.fake.state.rateLimited.total).toBe(0);
  });
});

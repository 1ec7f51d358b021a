import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { plain } from '../../../bot/discord/text-limits.js';
import { type DiscordHarness, startDiscordHarness } from './support/discord-harness.js';
import {
  answers,
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
    await threadShows(h, threadId, /^🟢 Booting — UEFI, KVM detected by manufacturer "QEMU"$/);
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
      '🟢 Booting — UEFI, KVM detected by manufacturer "QEMU"',
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
    const forms = [password, plain(password)]; // as typed, and as sent (markdown escaped)
    const everyone = [...h.fake.state.visibleMessages(deploys()), ...h.fake.state.visibleMessages(threadId)];
    const seen = JSON.stringify(everyone.map((m) => [m.content, m.embeds, m.edits]));
    for (const form of forms) expect(seen).not.toContain(JSON.stringify(form).slice(1, -1));
    const carrying = h.fake.state.calls.filter((c) =>
      forms.some((form) => JSON.stringify(c.body ?? '').includes(JSON.stringify(form).slice(1, -1))),
    );
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

  it('rides out gateway drops mid-deployment: the thread stays complete, missed ✅ still count', async () => {
    const { id } = await deploy(h, 'dave', { mac: '52:54:00:aa:01:01', os: 'ubuntu2404', hostname: 'web01' });
    const posted = await card(h, id);
    // The button is the second way to decide, with the same rules and an ephemeral answer.
    const press = h.fake.sendInteraction({
      kind: 'button',
      customId: `octofleet:approve:${id}`,
      messageId: posted.id,
      user: 'carol',
    });
    const [pressed] = await h.fake.waitFor(() => answers(h, press).length > 0 && answers(h, press));
    expect(pressed).toEqual({ text: `✅ You approved deployment #${id}.`, ephemeral: true, embedTitles: [] });
    await fetch(`${h.bootUrl}/ipxe/52:54:00:aa:01:01?platform=pcbios&manufacturer=QEMU`);
    await callback(h, id, { status: 'installer', message: 'subiquity started' });
    await threadShows(h, posted.id, /^⚙️ Installer — subiquity started$/);

    // The connection drops; Discord keeps the session, so a ✅ made meanwhile arrives on resume.
    const second = await deploy(h, 'bob', { mac: '52:54:00:aa:01:02', os: 'ubuntu2404' });
    const secondCard = await card(h, second.id);
    expect(h.fake.dropGateway()).toBe(1);
    h.fake.addReaction('alice', 'deploys', secondCard.id, '✅');
    await callback(h, id, { status: 'image_downloading', progress: 30 });
    await cardShows(h, second.id, /^👍 Approved/);
    expect(h.fake.state.gateway.resumes).toBe(1);

    // This time the session is lost: the ✅ made before the new IDENTIFY is found by the sweep.
    const third = await deploy(h, 'bob', { mac: '52:54:00:aa:01:03', os: 'ubuntu2404' });
    const thirdCard = await card(h, third.id);
    const identifies = h.fake.state.gateway.identifies;
    expect(h.fake.dropGateway({ resumable: false })).toBe(1);
    h.fake.addReaction('alice', 'deploys', thirdCard.id, '✅');
    await callback(h, id, { status: 'late_command' });
    await callback(h, id, { status: 'first_boot' });
    await callback(h, id, { status: 'done' });
    await cardShows(h, third.id, /^👍 Approved/);
    expect(h.fake.state.gateway.identifies).toBe(identifies + 1);
    const listed = h.fake.state.calls.filter(
      (c) => c.method === 'GET' && c.path.includes(`/${thirdCard.id}/reactions/`),
    );
    expect(listed.length).toBeGreaterThan(0); // found by the sweep of the new session
    await cardShows(h, id, /^✅ Done in /);
    await threadShows(h, posted.id, /^⏱ /);
    expect(threadLines(h, posted.id)).toEqual([
      expect.stringMatching(/^👍 Approved by carol\. /),
      '🟢 Booting — BIOS, KVM detected by manufacturer "QEMU"',
      '⚙️ Installer — subiquity started',
      '📦 Downloading image 30%',
      '📋 Installation finished',
      '🚀 First boot',
      expect.stringMatching(/^✅ Done in \d+s — web01, SSH ready$/),
      expect.stringMatching(/^⏱ /),
    ]);
    expect(h.fake.state.rateLimited.total).toBe(0);
  });
});

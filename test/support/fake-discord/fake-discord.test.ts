import { once } from 'node:events';
import {
  ActionRowBuilder,
  ApplicationCommandOptionType,
  ButtonBuilder,
  ButtonStyle,
  type ChatInputApplicationCommandData,
  type Client,
  DiscordAPIError,
  Events,
  GatewayIntentBits,
  HTTPError,
  type Interaction,
  MessageFlags,
  type TextChannel,
} from 'discord.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type FakeDiscord, startFakeDiscord } from './index.js';
import { loginTestClient } from './test-client.js';

const DEPLOY_COMMAND: ChatInputApplicationCommandData = {
  name: 'deploy',
  description: 'Deploy an operating system to a machine',
  options: [
    { type: ApplicationCommandOptionType.String, name: 'mac', description: 'MAC address', required: true },
    {
      type: ApplicationCommandOptionType.String,
      name: 'os',
      description: 'OS id',
      required: true,
      autocomplete: true,
    },
  ],
};

let fake: FakeDiscord;
let client: Client<true>;
const clients: Client[] = [];

async function login(options?: Parameters<typeof loginTestClient>[1]): Promise<Client<true>> {
  const c = await loginTestClient(fake, options);
  clients.push(c);
  return c;
}

const deploys = () => client.channels.cache.get(fake.channelId('deploys')) as TextChannel;

/** Runs `handler` for the next interaction and resolves with what it returned (or threw). */
function onNextInteraction(c: Client, handler: (i: Interaction) => Promise<unknown>): Promise<unknown> {
  return new Promise((resolve) => {
    c.once(Events.InteractionCreate, (i) => {
      handler(i).then(resolve, resolve);
    });
  });
}

beforeEach(async () => {
  fake = await startFakeDiscord({
    channels: [{ name: 'deploys' }, { name: 'builds' }],
    // Discord's 5 per 5 s, with a shorter window so queued sends stay quick.
    rateLimits: { channelMessages: { limit: 5, windowMs: 2000 } },
  });
  client = await login();
});

afterEach(async () => {
  for (const c of clients.splice(0)) await c.destroy();
  await fake.close();
});

describe('fake Discord with the real discord.js client', () => {
  it('logs in and sees the configured guild, channels and roles', () => {
    const guild = client.guilds.cache.get(fake.guildId);
    expect(guild?.name).toBe('Octofleet Lab');
    expect(deploys().name).toBe('deploys');
    expect(guild?.roles.cache.get(fake.roleId('approver'))?.name).toBe('approver');
    expect(client.user.id).toBe(fake.botUserId);
    expect(fake.state.gateway.identifies).toBe(1);
    expect(fake.botUserId).toMatch(/^\d{17,19}$/);
  });

  it('refuses a wrong token at login', async () => {
    const bad = { ...fake, token: 'not-the-token' };
    await expect(loginTestClient(bad)).rejects.toMatchObject({ code: 'TokenInvalid' });
    expect(fake.state.calls.at(-1)).toMatchObject({ path: '/gateway/bot', status: 401 });
  });

  it('closes the gateway with 4014 for a privileged intent that is not enabled', async () => {
    await expect(
      login({ intents: [GatewayIntentBits.Guilds, GatewayIntentBits.MessageContent] }),
    ).rejects.toThrow(/disallowed intents/i);
  });

  it('delivers a slash command and records deferReply + editReply', async () => {
    await client.application.commands.set([DEPLOY_COMMAND], fake.guildId);
    expect(fake.state.commands.guild.get(fake.guildId)?.map((c) => c.name)).toEqual(['deploy']);
    const handled = onNextInteraction(client, async (i) => {
      if (!i.isChatInputCommand() || !i.inCachedGuild()) throw new Error('expected a guild slash command');
      await i.deferReply();
      const approver = i.member.roles.cache.has(fake.roleId('approver'));
      await i.editReply(
        `Deploying ${i.options.getString('os')} to ${i.options.getString('mac')} (approver: ${approver})`,
      );
    });
    const interaction = fake.sendInteraction({
      kind: 'command',
      name: 'deploy',
      options: { mac: '00:15:5d:01:02:03', os: 'ws2025' },
      user: 'alice',
    });
    expect(await handled).toBeUndefined();
    expect(interaction.responses.map((r) => r.type)).toEqual([5]);
    const reply = fake.state.messageById.get(interaction.originalMessageId!);
    expect(reply?.content).toBe('Deploying ws2025 to 00:15:5d:01:02:03 (approver: true)');
    expect(reply?.flags).toBe(0);
    expect(fake.state.visibleMessages(fake.channelId('deploys')).map((m) => m.content)).toEqual([
      reply?.content,
    ]);
  });

  it('records an ephemeral reply and keeps it out of the channel view', async () => {
    await client.application.commands.set([DEPLOY_COMMAND], fake.guildId);
    const handled = onNextInteraction(client, async (i) => {
      if (i.isChatInputCommand()) await i.reply({ content: 'only for you', flags: MessageFlags.Ephemeral });
    });
    const interaction = fake.sendInteraction({
      kind: 'command',
      name: 'deploy',
      options: { mac: 'x', os: 'y' },
      user: 'bob',
    });
    await handled;
    expect(interaction.responses).toMatchObject([{ type: 4, ephemeral: true }]);
    expect(fake.state.messages(fake.channelId('deploys'))).toHaveLength(1);
    expect(fake.state.visibleMessages(fake.channelId('deploys'))).toHaveLength(0);
  });

  it('delivers a button press and records update() as an edit of the card', async () => {
    const row = new ActionRowBuilder<ButtonBuilder>().addComponents(
      new ButtonBuilder().setCustomId('approve:1').setLabel('Approve').setStyle(ButtonStyle.Success),
    );
    const card = await deploys().send({ content: 'Request #1', components: [row] });
    const handled = onNextInteraction(client, async (i) => {
      if (i.isButton()) await i.update({ content: `Approved by ${i.user.username}`, components: [] });
    });
    fake.sendInteraction({ kind: 'button', customId: 'approve:1', messageId: card.id, user: 'alice' });
    await handled;
    const stored = fake.state.messageById.get(card.id)!;
    expect(stored.content).toBe('Approved by alice');
    expect(stored.components).toEqual([]);
    expect(stored.edits.map((e) => e.content)).toEqual(['Request #1']);
  });

  it('records autocomplete choices', async () => {
    await client.application.commands.set([DEPLOY_COMMAND], fake.guildId);
    const handled = onNextInteraction(client, async (i) => {
      if (i.isAutocomplete())
        await i.respond([{ name: `Windows Server 2025 (${i.options.getFocused()})`, value: 'ws2025' }]);
    });
    const interaction = fake.sendInteraction({
      kind: 'autocomplete',
      name: 'deploy',
      options: { os: 'ws' },
      focused: 'os',
      user: 'bob',
    });
    await handled;
    expect(interaction.choices).toEqual([{ name: 'Windows Server 2025 (ws)', value: 'ws2025' }]);
  });

  it('starts a thread with the message id and refuses a second one with 160004', async () => {
    const card = await deploys().send('Request #2');
    const thread = await card.startThread({ name: 'Request #2' });
    expect(thread.id).toBe(card.id);
    await thread.send('booting');
    expect(fake.state.messages(thread.id).map((m) => m.content)).toEqual(['booting']);
    const error = await deploys()
      .threads.create({ name: 'again', startMessage: card.id })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DiscordAPIError);
    expect((error as DiscordAPIError).code).toBe(160004);
  });

  it('unarchives a thread the bot posts into, but not a locked one', async () => {
    const card = await deploys().send('Request #3');
    const thread = await card.startThread({ name: 'Request #3' });
    const archived = once(client, Events.ThreadUpdate);
    fake.archiveThread(thread.id);
    await archived;
    expect(thread.archived).toBe(true);
    await thread.send('installing');
    expect(fake.state.channels.get(thread.id)?.archived).toBe(false);
    fake.archiveThread(thread.id, { locked: true });
    await expect(thread.send('done')).rejects.toMatchObject({ code: 50083 });
    expect(fake.state.messages(thread.id).map((m) => m.content)).toEqual(['installing']);
  });

  it('delivers a reaction with the member and roles, also for a message the client never cached', async () => {
    const card = await deploys().send('Approve?');
    const got = once(client, Events.MessageReactionAdd);
    fake.addReaction('alice', 'deploys', card.id, '✅');
    const [reaction, user] = await got;
    expect(reaction.emoji.name).toBe('✅');
    expect(user.id).toBe(fake.userId('alice'));
    expect(reaction.message.guild?.members.cache.get(user.id)?.roles.cache.has(fake.roleId('approver'))).toBe(
      true,
    );

    const restarted = await login();
    const partial = once(restarted, Events.MessageReactionAdd);
    fake.addReaction('bob', 'deploys', card.id, '❌');
    const [late] = await partial;
    expect(late.message.partial).toBe(true);
    expect(late.message.id).toBe(card.id);
    expect([...fake.state.messageById.get(card.id)!.reactions.keys()]).toEqual(['✅', '❌']);
  });

  it('refuses a 2001-character message with 50035 and stores nothing', async () => {
    const error = await deploys()
      .send('x'.repeat(2001))
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DiscordAPIError);
    expect(error).toMatchObject({ code: 50035, status: 400 });
    expect((error as Error).message).toContain('content[BASE_TYPE_MAX_LENGTH]');
    expect(fake.state.messages(fake.channelId('deploys'))).toHaveLength(0);
    await deploys().send('x'.repeat(2000));
    expect(fake.state.messages(fake.channelId('deploys'))).toHaveLength(1);
  });

  it('stores files sent as multipart form data as attachments', async () => {
    await deploys().send({
      content: 'log attached',
      files: [{ attachment: Buffer.from('setup ok\n'), name: 'install.log' }],
    });
    const [stored] = fake.state.messages(fake.channelId('deploys'));
    expect(stored?.content).toBe('log attached');
    expect(stored?.attachments).toMatchObject([{ filename: 'install.log', size: 9 }]);
  });

  it('answers a raw flood with 429s while discord.js queues its own sends', async () => {
    const url = `${fake.apiBase}/v10/channels/${fake.channelId('deploys')}/messages`;
    const answers = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        fetch(url, {
          method: 'POST',
          headers: { Authorization: `Bot ${fake.token}`, 'Content-Type': 'application/json' },
          body: JSON.stringify({ content: `raw ${i}` }),
        }),
      ),
    );
    const limited = answers.filter((a) => a.status === 429);
    expect(limited).toHaveLength(3);
    expect(await limited[0]!.json()).toMatchObject({ message: 'You are being rate limited.', global: false });
    expect(limited[0]!.headers.get('x-ratelimit-remaining')).toBe('0');
    expect(Number(limited[0]!.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(fake.state.rateLimited.route).toBe(3);

    // The saturated channel: discord.js meets at most one 429, waits for the reset and succeeds.
    await deploys().send('queued behind the flood');
    expect(fake.state.messages(fake.channelId('deploys')).at(-1)?.content).toBe('queued behind the flood');
    expect(fake.state.rateLimited.route).toBeLessThanOrEqual(4);

    // A fresh channel: discord.js learns the bucket from the headers and never exceeds it.
    const before = fake.state.rateLimited.total;
    const builds = client.channels.cache.get(fake.channelId('builds')) as TextChannel;
    await Promise.all(Array.from({ length: 7 }, (_, i) => builds.send(`step ${i}`)));
    expect(fake.state.messages(builds.id).map((m) => m.content)).toEqual(
      Array.from({ length: 7 }, (_, i) => `step ${i}`),
    );
    expect(fake.state.rateLimited.total).toBe(before);
  });

  it('retries injected 5xx answers and gives up after its retry budget', async () => {
    fake.failNext(2, 500, 'POST /channels/:channel/messages');
    await deploys().send('after two 500s');
    const failures = fake.state.calls.filter((c) => c.status === 500);
    expect(failures).toHaveLength(2);
    fake.failNext(4, 503, 'POST /channels/:channel/messages');
    const error = await deploys()
      .send('never')
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HTTPError);
    expect((error as HTTPError).status).toBe(503);
    expect(fake.state.messages(fake.channelId('deploys')).map((m) => m.content)).toEqual(['after two 500s']);
  });

  it('resumes after a gateway drop and replays what was dispatched meanwhile', async () => {
    const card = await deploys().send('Approve?');
    expect(fake.dropGateway()).toBe(1);
    const got = once(client, Events.MessageReactionAdd);
    fake.addReaction('alice', 'deploys', card.id, '✅');
    const [reaction] = await got;
    expect(reaction.emoji.name).toBe('✅');
    expect(fake.state.gateway).toMatchObject({ identifies: 1, resumes: 1 });
  });

  it('identifies again when the session cannot be resumed, then receives events', async () => {
    // @discordjs/ws spaces IDENTIFYs 5–6.5 s apart (Discord's max_concurrency); skip that wait here.
    await client.destroy();
    client = await login({ ws: { buildIdentifyThrottler: () => ({ waitForIdentify: async () => {} }) } });
    const card = await deploys().send('Approve?');
    fake.dropGateway({ resumable: false });
    await fake.waitFor(
      (s) => s.gateway.identifies === 3 && fake.connectedSessions() === 1,
      5000,
      'a fresh IDENTIFY',
    );
    expect(fake.state.gateway.invalidSessions).toBe(1);
    const got = once(client, Events.MessageReactionAdd);
    fake.addReaction('bob', 'deploys', card.id, '👍');
    const [, user] = await got;
    expect(user.id).toBe(fake.userId('bob'));
  });
});

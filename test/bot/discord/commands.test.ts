import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { type Client, Routes } from 'discord.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { discordCommands } from '../../../bot/discord/command-definitions.js';
import { registerDiscordCommands, registrationDrift } from '../../../bot/discord/register-commands.js';
import { COMMAND_NAMES } from '../../../chat/chat-inbound.js';
import { startFakeRedfish } from '../../support/fake-redfish/fake-redfish.js';
import { testConfig } from '../../support/test-database.js';
import { type DiscordHarness, startDiscordHarness } from './support/discord-harness.js';
import { card, deploy, slash, status } from './support/discord-user.js';

let h: DiscordHarness;
beforeAll(async () => {
  h = await startDiscordHarness();
});
afterAll(async () => {
  await h?.close();
});

const deploymentCount = async () => (await h.core.deployments.repository().list({ limit: 500 })).total;
const publicMessages = () => h.fake.state.visibleMessages(h.fake.channelId('deploys')).length;

describe('/deploy', () => {
  it('works exactly as typed: /deploy mac:00:15:5d:01:02:03 os:ws2025', async () => {
    const { id, answers } = await deploy(h, 'bob', { mac: '00:15:5d:01:02:03', os: 'ws2025' });
    expect(answers.map((a) => a.ephemeral)).toEqual([true, true]);
    expect(answers[0]!.text).toMatch(
      /^🔑 Deployment #\d+ \(.+\): user Administrator, password \S+ — shown only to you/,
    );
    expect(await h.core.deployments.repository().get(id)).toMatchObject({
      mac: '00:15:5d:01:02:03',
      os: 'ws2025',
      status: 'pending_approval',
    });
    expect((await card(h, id)).embeds[0]!.fields!.find((f) => f.name === 'OS')!.value).toMatch(
      /^Windows Server 2025 · /,
    );
  });

  const invalid: [string, Record<string, string>, RegExp][] = [
    ['a MAC that is no MAC', { mac: 'not-a-mac', os: 'ubuntu2404' }, /not-a-mac/],
    ['a MAC one byte short', { mac: '00:15:5d:01:02', os: 'ubuntu2404' }, /00:15:5d:01:02/],
    [
      'an OS not in the catalog',
      { mac: '52:54:00:cc:00:01', os: 'win95' },
      /unknown os "win95"; choose one of: .*ws2025/,
    ],
    [
      'an unknown edition',
      { mac: '52:54:00:cc:00:02', os: 'ws2025', edition: 'ultimate' },
      /unknown edition "ultimate" for ws2025/,
    ],
    [
      'an edition for an OS without editions',
      { mac: '52:54:00:cc:00:03', os: 'ubuntu2404', edition: 'pro' },
      /ubuntu2404 has no editions/,
    ],
    [
      'a hostname with shell syntax',
      { mac: '52:54:00:cc:00:04', os: 'ubuntu2404', hostname: '$(reboot)' },
      /hostname/,
    ],
    [
      'a Windows hostname over 15 characters',
      { mac: '52:54:00:cc:00:05', os: 'ws2025', hostname: 'averyverylonghostname' },
      /1–15 characters/,
    ],
    [
      'a MAC that already has an active deployment',
      { mac: '00-15-5D-01-02-03', os: 'ubuntu2404' },
      /already has deployment #\d+ \(pending_approval\); cancel it first/,
    ],
  ];
  it.each(invalid)('refuses %s with an ephemeral error and creates nothing', async (_name, options, why) => {
    const before = { deployments: await deploymentCount(), messages: publicMessages() };
    const { answers } = await slash(h, 'bob', 'deploy', options);
    expect(answers).toHaveLength(1);
    expect(answers[0]!.ephemeral).toBe(true);
    expect(answers[0]!.text).toMatch(/^⚠️ /);
    expect(answers[0]!.text).toMatch(why);
    expect(await deploymentCount()).toBe(before.deployments);
    expect(publicMessages()).toBe(before.messages);
  });

  it('offers catalog images and the chosen image’s editions while typing', async () => {
    const os = h.fake.sendInteraction({
      kind: 'autocomplete',
      name: 'deploy',
      options: { os: 'ws' },
      focused: 'os',
      user: 'bob',
    });
    const osChoices = await h.fake.waitFor(() => os.choices as { name: string; value: string }[] | null);
    expect(osChoices.map((c) => c.value)).toEqual(['ws2019', 'ws2022', 'ws2025']);
    expect(osChoices.find((c) => c.value === 'ws2025')!.name).toBe('ws2025 — Windows Server 2025');
    const edition = h.fake.sendInteraction({
      kind: 'autocomplete',
      name: 'deploy',
      options: { os: 'ws2025', edition: 'data' },
      focused: 'edition',
      user: 'bob',
    });
    const editionChoices = await h.fake.waitFor(() => edition.choices as { value: string }[] | null);
    expect(editionChoices.map((c) => c.value)).toEqual(['datacenter', 'datacenter-core']);
  });
});

describe('the other commands', () => {
  it('/deploy-status shows the card to the asker only; /deployments, /images and /help answer ephemerally', async () => {
    const { id } = await deploy(h, 'bob', { mac: '52:54:00:cc:01:01', os: 'debian12' });
    const byId = await slash(h, 'dave', 'deploy-status', { target: String(id) });
    expect(byId.answers).toEqual([
      expect.objectContaining({
        ephemeral: true,
        embedTitles: [expect.stringMatching(new RegExp(`^Deployment #${id}: `))],
      }),
    ]);
    expect(byId.answers[0]!.text).toMatch(/Latest events:/);
    const byMac = await slash(h, 'dave', 'deploy-status', { target: '52-54-00-cc-01-01' });
    expect(byMac.answers[0]!.embedTitles[0]).toMatch(new RegExp(`^Deployment #${id}: `));
    const list = await slash(h, 'dave', 'deployments');
    expect(list.answers[0]).toMatchObject({
      ephemeral: true,
      text: expect.stringMatching(new RegExp(`#${id} ⏳ pending approval`)),
    });
    const images = await slash(h, 'dave', 'images');
    expect(images.answers[0]!.text).toMatch(/^OS images \(use the id in \/deploy os:<id>\):\n/);
    expect(images.answers[0]!.text).toMatch(
      /\nws2025 · Windows Server 2025 — editions: datacenter, .*\(default standard\)/,
    );
    const help = await slash(h, 'dave', 'help');
    expect(help.answers[0]!.text).toMatch(/^\/deploy mac:<mac>\[,<mac>…\]\|host:<machine> os:<id>/);
  });

  it('/approve, /reject and /deploy-cancel follow the same rules as the card', async () => {
    const { id } = await deploy(h, 'bob', { mac: '52:54:00:cc:01:02', os: 'debian12' });
    const refused = await slash(h, 'dave', 'approve', { id });
    expect(refused.answers[0]).toMatchObject({
      ephemeral: true,
      text: `⚠️ dave is not an approver for deployment #${id}`,
    });
    const cancelled = await slash(h, 'bob', 'deploy-cancel', { id, reason: 'wrong rack' });
    expect(cancelled.answers[0]!.text).toBe(`🚫 You cancelled deployment #${id}.`);
    expect(await status(h, id)).toBe('cancelled');
    const late = await slash(h, 'alice', 'reject', { id });
    expect(late.answers[0]!.text).toMatch(new RegExp(`^⚠️ deployment #${id} was already cancelled`));
    expect(h.fake.state.rateLimited.total).toBe(0);
  });
});

describe('/machines and /power', () => {
  it('lists the inventory; /power status for anyone, changes for approvers only', async () => {
    const bmc = await startFakeRedfish({ password: 'Discord-Bmc-Pw-1' });
    try {
      await h.core.machines.put('rf01', {
        mac: '52:54:00:cc:09:01',
        bmc: { driver: 'redfish', address: bmc.url, username: 'root', password: 'Discord-Bmc-Pw-1' },
        tags: ['rack7'],
      });
      const list = await slash(h, 'dave', 'machines', { tag: 'rack7' });
      expect(list.answers[0]).toMatchObject({ ephemeral: true });
      expect(list.answers[0]!.text).toMatch(
        /^rf01 · 52:54:00:cc:09:01 · redfish 127\.0\.0\.1:\d+ · UEFI · rack7$/m,
      );
      const status = await slash(h, 'dave', 'power', { machine: 'rf01', action: 'status' });
      expect(status.answers[0]!.text).toBe('⚡ rf01 is off (Redfish).');
      const refused = await slash(h, 'dave', 'power', { machine: 'rf01', action: 'on' });
      expect(refused.answers[0]!.text).toBe(
        '⚠️ dave is not an approver: only approvers may change the power of rf01',
      );
      expect(bmc.resets).toEqual([]);
      const on = await slash(h, 'alice', 'power', { machine: 'rf01', action: 'on' });
      expect(on.answers[0]!.text).toBe('⚡ rf01 powered on via Redfish by alice; it is now on.');
      expect(bmc.resets).toEqual(['On']);
      const texts = JSON.stringify(h.fake.state);
      expect(texts).not.toContain('Discord-Bmc-Pw-1');
    } finally {
      await bmc.close();
    }
  });
});

describe('npm run discord:register', () => {
  const env = () => ({
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    DISCORD_TOKEN: h.fake.token,
    DISCORD_APPLICATION_ID: h.fake.applicationId,
    DISCORD_API_BASE: h.fake.apiBase,
  });
  const run = (extra: Record<string, string>) =>
    promisify(execFile)(process.execPath, ['--import', 'tsx', 'cli/discord-register.ts'], {
      env: { ...env(), ...extra },
    });

  it('PUTs the whole set to the guild, again and again, keeping command ids', async () => {
    const before = h.fake.state.commands.guild.get(h.fake.guildId)!.map((c) => `${c.name}:${c.id}`);
    const { stdout } = await run({ DISCORD_GUILD_ID: h.fake.guildId });
    expect(stdout).toBe(
      `registered 11 commands for guild ${h.fake.guildId}: /deploy, /deployments, /deploy-status, /deploy-cancel, /images, /machines, /power, /templates, /approve, /reject, /help\n`,
    );
    const puts = h.fake.state.calls.filter(
      (c) => c.method === 'PUT' && c.route === '/applications/:app/guilds/:guild/commands',
    );
    expect(puts.at(-1)!.body).toEqual(JSON.parse(JSON.stringify(discordCommands())));
    expect(h.fake.state.commands.guild.get(h.fake.guildId)!.map((c) => `${c.name}:${c.id}`)).toEqual(before);
  });

  it('registers global commands without DISCORD_GUILD_ID', async () => {
    const config = testConfig({ ...(env() as Record<string, string>) });
    expect(await registerDiscordCommands(config)).toMatchObject({
      scope: 'global',
      commands: expect.arrayContaining(['deploy']),
    });
    expect(h.fake.state.commands.global.map((c) => c.name)).toContain('deploy-cancel');
  });

  it('defines every command of the shared layer, and the bot notices when Discord has another set', async () => {
    expect(
      discordCommands()
        .map((c) => c.name)
        .sort(),
    ).toEqual([...COMMAND_NAMES].sort());
    const client = h.botPlatform.client as Client<true>;
    expect(await registrationDrift(client, h.fake.guildId)).toEqual([]);
    const older = discordCommands().filter((c) => c.name !== 'images');
    await client.rest.put(Routes.applicationGuildCommands(h.fake.applicationId, h.fake.guildId), {
      body: older,
    });
    try {
      expect(await registrationDrift(client, h.fake.guildId)).toEqual(['missing /images']);
    } finally {
      await registerDiscordCommands(h.core.config);
    }
  });

  it('says which variable is missing and exits 1', async () => {
    const failed = await run({ DISCORD_APPLICATION_ID: '' }).catch(
      (e: { code: number; stderr: string }) => e,
    );
    expect(failed).toMatchObject({ code: 1 });
    expect((failed as { stderr: string }).stderr).toMatch(
      /^Invalid configuration: DISCORD_APPLICATION_ID is required/,
    );
  });
});

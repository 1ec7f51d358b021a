import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { SlackPlatform } from '../../../bot/slack/create-slack-platform.js';
import { type FakeSlack, type FakeSlackOptions, startFakeSlack } from '../../support/fake-slack/index.js';
import { freePort } from '../../support/free-port.js';
import { platformOnly, StubInbound, slackConfig } from './support/platform-only.js';
import { CHANNEL, OPERATOR } from './support/slack-harness.js';

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function fakeSlack(opts: FakeSlackOptions = {}): Promise<FakeSlack> {
  const fake = await startFakeSlack(opts);
  cleanups.push(() => fake.close());
  return fake;
}
function track(platform: SlackPlatform) {
  cleanups.push(() => platform.stop());
  return platform;
}
/** A deferred promise the test resolves, to hold the shared layer mid-command. */
function gate() {
  let open!: () => void;
  const opened = new Promise<void>((r) => {
    open = r;
  });
  return { open, opened };
}

describe('HTTP mode', () => {
  it('the mounted handler answers 503 until started and after stopping', async () => {
    const fake = await fakeSlack();
    const platform = track(platformOnly(slackConfig(fake, 'http')).platform);
    const server: Server = createServer(platform.requestHandler!);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    cleanups.push(() => new Promise((r) => server.close(r)));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/slack/events`;
    const fields = { command: '/deploy', text: 'x', user_id: OPERATOR, channel_id: CHANNEL };
    expect((await fake.sendSlashCommand(url, fields)).status).toBe(503);
    const inbound = new StubInbound();
    await platform.start(inbound);
    expect((await fake.sendSlashCommand(url, fields)).status).toBe(200);
    await platform.stop();
    expect((await fake.sendSlashCommand(url, fields)).status).toBe(503);
    expect(inbound.commands).toHaveLength(1);
  });

  it('on its own SLACK_PORT: acks at once, then hands the shared layer what the user typed', async () => {
    const fake = await fakeSlack();
    const port = await freePort();
    const platform = track(platformOnly(slackConfig(fake, 'http', { SLACK_PORT: port })).platform);
    const inbound = new StubInbound({ ok: true, visibility: 'public', text: 'hello <!channel> & all' });
    const held = gate();
    const command = inbound.command.bind(inbound);
    inbound.command = async (c) => {
      await held.opened;
      return command(c);
    };
    await platform.start(inbound);
    expect(platform.port).toBe(port);
    const res = await fake.sendSlashCommand(`http://127.0.0.1:${port}/slack/events`, {
      command: '/deploy-cancel',
      // Slack encodes & < > in what users type.
      text: '42 disk &lt;broken&gt; &amp; gone',
      user_id: OPERATOR,
      channel_id: CHANNEL,
    });
    // Acknowledged while the shared layer is still working.
    expect(res.status).toBe(200);
    held.open();
    const posted = await fake.waitFor(() => fake.channelMessages(CHANNEL)[0], 5000, 'the public reply');
    expect(inbound.commands[0]).toMatchObject({
      platform: 'slack',
      name: 'deploy-cancel',
      text: '42 disk <broken> & gone',
      channelId: CHANNEL,
      user: { id: OPERATOR, name: 'operator' },
    });
    expect(posted.text).toBe('hello &lt;!channel&gt; &amp; all');

    await fake.sendSlashCommand(`http://127.0.0.1:${port}/slack/events`, {
      command: '/deploy',
      text: 'help',
      user_id: OPERATOR,
      channel_id: CHANNEL,
    });
    await fake.waitFor(() => inbound.commands.length === 2, 5000);
    expect(inbound.commands[1]!.name).toBe('help');
  });
});

describe('start-up checks', () => {
  it('names SLACK_BOT_TOKEN when Slack refuses the token', async () => {
    const fake = await fakeSlack();
    const config = slackConfig(fake, 'http', { SLACK_BOT_TOKEN: 'xoxb-wrong' });
    const platform = track(platformOnly(config).platform);
    await expect(platform.start(new StubInbound())).rejects.toThrow(
      'Slack refused SLACK_BOT_TOKEN (auth.test: invalid_auth)',
    );
  });

  it('names SLACK_CHANNEL_ID when the channel does not exist or the bot is not in it', async () => {
    const fake = await fakeSlack({
      channels: [
        { id: CHANNEL, name: 'deploys' },
        { id: 'C0OUTSIDE01', name: 'outside', botIsMember: false },
      ],
    });
    const missing = track(
      platformOnly(slackConfig(fake, 'http', { SLACK_CHANNEL_ID: 'C0NOWHERE01' })).platform,
    );
    await expect(missing.start()).rejects.toThrow(
      /SLACK_CHANNEL_ID C0NOWHERE01 cannot be used.*channel_not_found/,
    );
    const outside = track(
      platformOnly(slackConfig(fake, 'http', { SLACK_CHANNEL_ID: 'C0OUTSIDE01' })).platform,
    );
    await expect(outside.start()).rejects.toThrow(
      /not in SLACK_CHANNEL_ID C0OUTSIDE01 \(#outside\); invite it/,
    );
  });
});

describe('Socket Mode', () => {
  it('acks an envelope before the shared layer has finished, and reconnects after a drop', async () => {
    const fake = await fakeSlack();
    const platform = track(platformOnly(slackConfig(fake, 'socket'), { socketPingTimeoutMs: 50 }).platform);
    const inbound = new StubInbound();
    const held = gate();
    const command = inbound.command.bind(inbound);
    inbound.command = async (c) => {
      await held.opened;
      return command(c);
    };
    await platform.start(inbound);
    const fields = { command: '/images', text: '', user_id: OPERATOR, channel_id: CHANNEL };
    await fake.socket.sendSlashCommand(fields);
    expect(inbound.commands).toHaveLength(0);
    held.open();
    await fake.waitFor(() => fake.ephemeralsFor(OPERATOR).length === 1, 5000, 'the reply');

    await fake.dropSocket();
    await fake.socket.sendSlashCommand(fields, { timeoutMs: 5000 });
    await fake.waitFor(() => fake.ephemeralsFor(OPERATOR).length === 2, 5000, 'the reply after reconnecting');
    expect(inbound.commands.map((c) => c.name)).toEqual(['images', 'images']);
  });
});

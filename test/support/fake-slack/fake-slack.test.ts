import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { App, LogLevel, SocketModeReceiver, webApi } from '@slack/bolt';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type FakeSlack, startFakeSlack } from './index.js';

const CHANNEL = 'C0DEPLOYS01';
const OPERATOR = 'U0OPERATOR1';
const APPROVER = 'U0APPROVER1';

let fake: FakeSlack;
const stops: Array<() => Promise<unknown>> = [];

beforeEach(async () => {
  fake = await startFakeSlack({
    channels: [
      { id: CHANNEL, name: 'deploys', members: [OPERATOR, APPROVER] },
      { id: 'C0OUTSIDE01', name: 'outside', botIsMember: false },
    ],
  });
  stops.push(() => fake.close());
});

afterEach(async () => {
  for (const stop of stops.splice(0).reverse()) await stop();
});

/** A WebClient on the fake that fails fast instead of retrying, for error answers. */
const client = (opts: webApi.WebClientOptions = {}) =>
  new webApi.WebClient(fake.botToken, {
    slackApiUrl: fake.apiUrl,
    logLevel: webApi.LogLevel.ERROR,
    retryConfig: { retries: 0 },
    ...opts,
  });

async function httpApp() {
  const app = new App({
    token: fake.botToken,
    signingSecret: fake.signingSecret,
    clientOptions: { slackApiUrl: fake.apiUrl },
    logLevel: LogLevel.ERROR,
  });
  return app;
}

async function startHttp(app: App): Promise<string> {
  const server = (await app.start(0)) as Server;
  stops.push(() => app.stop());
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/slack/events`;
}

describe('HTTP mode with a real Bolt App', () => {
  it('delivers a signed slash command that Bolt acks, and shows ack, respond and post as a user would', async () => {
    const app = await httpApp();
    const seen: string[] = [];
    app.command('/deploy', async ({ ack, command, respond, client: web }) => {
      seen.push(command.text);
      await ack({ text: 'Request received' });
      await respond({ response_type: 'in_channel', text: `Deploy requested by <@${command.user_id}>` });
      await web.chat.postMessage({ channel: command.channel_id, text: 'Card' });
    });
    const url = await startHttp(app);

    const res = await fake.sendSlashCommand(url, {
      command: '/deploy',
      text: 'mac:00:15:5d:01:02:03 os:ws2025',
      user_id: OPERATOR,
      channel_id: CHANNEL,
    });

    expect(res.status).toBe(200);
    expect(seen).toEqual(['mac:00:15:5d:01:02:03 os:ws2025']);
    await fake.waitFor(() => fake.channelMessages(CHANNEL).length === 2, 2000, 'two channel messages');
    expect(fake.channelMessages(CHANNEL).map((m) => m.text)).toEqual([
      `Deploy requested by <@${OPERATOR}>`,
      'Card',
    ]);
    expect(fake.ephemeralsFor(OPERATOR).map((e) => [e.text, e.via])).toEqual([['Request received', 'ack']]);
    expect(fake.state.responseUrlPosts.map((p) => p.outcome)).toEqual(['in_channel']);
  });

  it('Bolt refuses a forged signature with 401 and the handler never runs', async () => {
    const app = await httpApp();
    let runs = 0;
    app.command('/deploy', async ({ ack }) => {
      runs++;
      await ack();
    });
    const url = await startHttp(app);
    const fields = { command: '/deploy', text: 'x', user_id: OPERATOR, channel_id: CHANNEL };
    expect((await fake.sendSlashCommand(url, fields, { forgeSignature: true })).status).toBe(401);
    expect(runs).toBe(0);
    expect((await fake.sendSlashCommand(url, fields)).status).toBe(200);
    expect(runs).toBe(1);
  });

  it('Bolt refuses a 6-minute-old timestamp with 401 and the handler never runs', async () => {
    const app = await httpApp();
    let runs = 0;
    app.command('/deploy', async ({ ack }) => {
      runs++;
      await ack();
    });
    const url = await startHttp(app);
    const fields = { command: '/deploy', text: 'x', user_id: OPERATOR, channel_id: CHANNEL };
    expect((await fake.sendSlashCommand(url, fields, { ageSeconds: 360 })).status).toBe(401);
    expect(runs).toBe(0);
  });

  it('delivers reaction_added events with the documented shape, and redeliveries with their retry number', async () => {
    const app = await httpApp();
    const got: Array<{ event: unknown; retryNum?: number; eventId: string }> = [];
    app.event('reaction_added', async ({ event, context, body }) => {
      got.push({ event, retryNum: context.retryNum, eventId: body.event_id });
    });
    const url = await startHttp(app);
    const card = fake.state.addMessage(CHANNEL, { user: fake.botUserId, text: 'Approve?' });

    const event = fake.reactionAdded(APPROVER, CHANNEL, card.ts, 'white_check_mark');
    const first = await fake.sendEvent(url, event);
    const again = await fake.sendEvent(url, event, { eventId: first.eventId, retryNum: 1 });

    expect([first.status, again.status]).toEqual([200, 200]);
    await fake.waitFor(() => got.length === 2, 2000, 'two deliveries');
    expect(got[0]!.event).toEqual({
      type: 'reaction_added',
      user: APPROVER,
      reaction: 'white_check_mark',
      item: { type: 'message', channel: CHANNEL, ts: card.ts },
      item_user: fake.botUserId,
      event_ts: expect.stringMatching(/^\d{10}\.\d{6}$/),
    });
    expect(got.map((g) => [g.eventId, g.retryNum])).toEqual([
      [first.eventId, undefined],
      [first.eventId, 1],
    ]);
    expect(fake.state.findMessage(CHANNEL, card.ts)?.reactions).toEqual([
      { name: 'white_check_mark', users: [APPROVER], count: 1 },
    ]);
  });

  it('delivers a block_actions click; respond with replace_original edits the card and keeps history', async () => {
    const app = await httpApp();
    app.action('approve', async ({ ack, respond }) => {
      await ack();
      await respond({ replace_original: true, text: 'Approved' });
    });
    const url = await startHttp(app);
    const card = fake.state.addMessage(CHANNEL, { user: fake.botUserId, text: 'Approve?' });

    const res = await fake.sendInteraction(
      url,
      fake.blockActions({
        user: APPROVER,
        channel: CHANNEL,
        messageTs: card.ts,
        actionId: 'approve',
        value: '42',
      }),
    );

    expect(res.status).toBe(200);
    await fake.waitFor(() => card.edits.length === 1, 2000, 'the card edit');
    expect(card.text).toBe('Approved');
    expect(card.edits.map((e) => e.text)).toEqual(['Approve?']);
  });
});

describe('Socket Mode with a real Bolt App', () => {
  it('reaches the fake with only App-level clientOptions and acks a slash command envelope', async () => {
    const app = new App({
      token: fake.botToken,
      appToken: fake.appToken,
      socketMode: true,
      clientOptions: { slackApiUrl: fake.apiUrl },
      logLevel: LogLevel.ERROR,
    });
    const seen: string[] = [];
    app.command('/deploy', async ({ ack, command }) => {
      seen.push(command.text);
      await ack({ text: 'Queued' });
    });
    await app.start();
    stops.push(() => app.stop());

    const { ack } = await fake.socket.sendSlashCommand({
      command: '/deploy',
      text: 'mac:52-54-00-12-34-56 os:ubuntu2404',
      user_id: OPERATOR,
      channel_id: CHANNEL,
    });

    expect(seen).toEqual(['mac:52-54-00-12-34-56 os:ubuntu2404']);
    expect(ack).toEqual({ text: 'Queued' });
    expect(fake.ephemeralsFor(OPERATOR).map((e) => e.text)).toEqual(['Queued']);
  });

  it.each([
    ['a cut connection', false],
    ['a disconnect message', true],
  ])('reconnects after %s and keeps delivering events and interactions', async (_how, graceful) => {
    const receiver = new SocketModeReceiver({
      appToken: fake.appToken,
      clientPingTimeout: 1000, // also the reconnect delay; Bolt's default is 5 s
      installerOptions: { clientOptions: { slackApiUrl: fake.apiUrl } },
      logLevel: LogLevel.ERROR,
    });
    // A custom receiver does not share the App's clientOptions: both need the fake's URL.
    const app = new App({
      token: fake.botToken,
      receiver,
      clientOptions: { slackApiUrl: fake.apiUrl },
      logLevel: LogLevel.ERROR,
    });
    const reactions: string[] = [];
    const clicks: string[] = [];
    app.event('reaction_added', async ({ event }) => {
      reactions.push(event.reaction);
    });
    app.action('approve', async ({ ack, action }) => {
      await ack();
      clicks.push((action as { value: string }).value);
    });
    await app.start();
    stops.push(() => app.stop());
    const card = fake.state.addMessage(CHANNEL, { user: fake.botUserId, text: 'Approve?' });

    await fake.dropSocket({ graceful });
    expect(fake.socket.connections).toBe(0);
    await fake.socket.sendEvent(fake.reactionAdded(APPROVER, CHANNEL, card.ts, 'white_check_mark'));
    await fake.socket.sendInteraction(
      fake.blockActions({
        user: APPROVER,
        channel: CHANNEL,
        messageTs: card.ts,
        actionId: 'approve',
        value: '42',
      }),
    );

    expect(reactions).toEqual(['white_check_mark']);
    expect(clicks).toEqual(['42']);
    expect(fake.state.calls.filter((c) => c.method === 'apps.connections.open')).toHaveLength(2);
  });
});

describe('Web API', () => {
  it('stores a thread reply posted with WebClient and returns the thread in order', async () => {
    const web = client();
    const parent = await web.chat.postMessage({ channel: CHANNEL, text: 'Deployment 42' });
    const reply = await web.chat.postMessage({ channel: CHANNEL, text: 'booting', thread_ts: parent.ts });

    expect(fake.thread(CHANNEL, parent.ts!).map((m) => m.text)).toEqual(['Deployment 42', 'booting']);
    expect(fake.channelMessages(CHANNEL).map((m) => m.text)).toEqual(['Deployment 42']);
    expect(reply.message?.thread_ts).toBe(parent.ts);
    const replies = await web.conversations.replies({ channel: CHANNEL, ts: parent.ts! });
    expect(replies.messages?.map((m) => [m.text, m.reply_count])).toEqual([
      ['Deployment 42', 1],
      ['booting', undefined],
    ]);
  });

  it('answers a burst to one channel with 429 + Retry-After, and WebClient default retries still deliver all', async () => {
    const web = new webApi.WebClient(fake.botToken, {
      slackApiUrl: fake.apiUrl,
      logLevel: webApi.LogLevel.ERROR,
    });
    let paused = 0;
    web.on(webApi.WebClientEvent.RATE_LIMITED, () => paused++);

    const texts = ['1', '2', '3', '4', '5'];
    const results = await Promise.all(texts.map((text) => web.chat.postMessage({ channel: CHANNEL, text })));

    expect(results.every((r) => r.ok)).toBe(true);
    expect(
      fake
        .channelMessages(CHANNEL)
        .map((m) => m.text)
        .sort(),
    ).toEqual(texts);
    expect(fake.state.rateLimited.length).toBeGreaterThan(0);
    expect(paused).toBe(fake.state.rateLimited.length);
    const limited = fake.state.calls.filter((c) => c.status === 429);
    expect(limited.every((c) => c.error === 'ratelimited' && (c.retryAfter ?? 0) >= 1)).toBe(true);
  }, 20_000);

  it('refuses a second identical reaction with already_reacted', async () => {
    const web = client();
    const { ts } = await web.chat.postMessage({ channel: CHANNEL, text: 'Approve?' });
    await web.reactions.add({ channel: CHANNEL, timestamp: ts!, name: 'eyes' });
    await expect(web.reactions.add({ channel: CHANNEL, timestamp: ts!, name: 'eyes' })).rejects.toMatchObject(
      {
        data: { ok: false, error: 'already_reacted' },
      },
    );
    expect(fake.state.reactionsBy(CHANNEL, ts!, fake.botUserId)).toEqual(['eyes']);
  });

  it('limits reactions.add to Tier 3 (50 per minute) across the workspace', async () => {
    let now = 1_760_000_000_000;
    await fake.close();
    fake = await startFakeSlack({ clock: () => now });
    stops.push(() => fake.close());
    const web = client({ rejectRateLimitedCalls: true });
    const msgs = Array.from({ length: 51 }, (_, i) =>
      fake.state.addMessage(CHANNEL, { user: OPERATOR, text: `${i}` }),
    );
    for (const m of msgs.slice(0, 50))
      await web.reactions.add({ channel: CHANNEL, timestamp: m.ts, name: 'eyes' });

    await expect(
      web.reactions.add({ channel: CHANNEL, timestamp: msgs[50]!.ts, name: 'eyes' }),
    ).rejects.toMatchObject({
      code: webApi.ErrorCode.RateLimitedError,
      retryAfter: 2,
    });
    now += 2000;
    await web.reactions.add({ channel: CHANNEL, timestamp: msgs[50]!.ts, name: 'eyes' });
    expect(fake.state.rateLimited).toEqual([
      { method: 'reactions.add', bucket: 'reactions.add', retryAfter: 2 },
    ]);
  });

  it('edits with history, keeps ephemerals per user, and answers conversations, users and user groups', async () => {
    const web = client();
    const blocks = [
      { type: 'section', text: { type: 'mrkdwn', text: '*Deploy 42*' } },
      {
        type: 'actions',
        elements: [{ type: 'button', action_id: 'approve', text: { type: 'plain_text', text: 'OK' } }],
      },
    ];
    const { ts } = await web.chat.postMessage({ channel: CHANNEL, text: 'Deploy 42', blocks });
    await web.chat.update({ channel: CHANNEL, ts: ts!, text: 'Deploy 42: approved' });
    await web.chat.postEphemeral({ channel: CHANNEL, user: APPROVER, text: 'token: s3cret' });

    const card = fake.state.findMessage(CHANNEL, ts)!;
    expect([card.text, card.blocks, card.edits.map((e) => [e.text, e.blocks])]).toEqual([
      'Deploy 42: approved',
      undefined,
      [['Deploy 42', blocks]],
    ]);
    expect(fake.ephemeralsFor(APPROVER).map((e) => e.text)).toEqual(['token: s3cret']);
    expect(fake.ephemeralsFor(OPERATOR)).toEqual([]);
    await expect(
      web.chat.postEphemeral({ channel: CHANNEL, user: fake.botUserId, text: 'x' }),
    ).rejects.toMatchObject({ data: { error: 'user_not_in_channel' } });
    expect((await web.usergroups.users.list({ usergroup: 'S0APPROVERS' })).users).toEqual([APPROVER]);
    expect((await web.users.info({ user: APPROVER })).user?.name).toBe('approver');
    expect((await web.conversations.info({ channel: CHANNEL })).channel?.is_member).toBe(true);
    await expect(web.usergroups.users.list({ usergroup: 'S0NOPE' })).rejects.toMatchObject({
      data: { error: 'no_such_subteam' },
    });
  });

  it('takes the token from the Authorization header or a form field, never from a JSON body', async () => {
    const call = (headers: Record<string, string>, body: string) =>
      fetch(`${fake.apiUrl}auth.test`, { method: 'POST', headers, body }).then((r) => r.json());
    const form = { 'content-type': 'application/x-www-form-urlencoded' };
    const json = { 'content-type': 'application/json' };
    expect(await call(form, `token=${fake.botToken}`)).toMatchObject({ ok: true, user_id: fake.botUserId });
    expect(await call({ ...json, authorization: `Bearer ${fake.botToken}` }, '{}')).toMatchObject({
      ok: true,
    });
    expect(await call(json, JSON.stringify({ token: fake.botToken }))).toEqual({
      ok: false,
      error: 'not_authed',
    });
    expect(await call(form, 'token=xoxb-forged')).toEqual({ ok: false, error: 'invalid_auth' });
  });

  it.each([
    ['msg_too_long', { channel: CHANNEL, text: 'x'.repeat(40_001) }],
    [
      'invalid_blocks',
      { channel: CHANNEL, text: 't', blocks: Array.from({ length: 51 }, () => ({ type: 'divider' })) },
    ],
    ['invalid_blocks_format', { channel: CHANNEL, text: 't', blocks: '[{' }],
    ['channel_not_found', { channel: 'C0NOPE00000', text: 't' }],
    ['not_in_channel', { channel: 'C0OUTSIDE01', text: 't' }],
    ['no_text', { channel: CHANNEL, text: '' }],
    ['thread_not_found', { channel: CHANNEL, text: 't', thread_ts: '1700000000.000001' }],
  ])('chat.postMessage answers %s and stores nothing', async (error, args) => {
    await expect(client().apiCall('chat.postMessage', args)).rejects.toMatchObject({
      data: { ok: false, error },
    });
    expect(fake.channelMessages(CHANNEL)).toEqual([]);
  });

  it('answers invalid_auth for an unknown token and not_allowed_token_type for the wrong kind', async () => {
    const wrong = new webApi.WebClient('xoxb-wrong', {
      slackApiUrl: fake.apiUrl,
      retryConfig: { retries: 0 },
    });
    await expect(wrong.auth.test()).rejects.toMatchObject({ data: { error: 'invalid_auth' } });
    await expect(client().apps.connections.open({})).rejects.toMatchObject({
      data: { error: 'not_allowed_token_type' },
    });
  });

  it('injects a 503 that WebClient retries through', async () => {
    fake.failNext({ method: 'chat.postMessage', status: 503 });
    const web = client({ retryConfig: { retries: 2, minTimeout: 10, maxTimeout: 20 } });
    await web.chat.postMessage({ channel: CHANNEL, text: 'after outage' });
    expect(fake.state.calls.map((c) => c.status)).toEqual([503, 200]);
    expect(fake.channelMessages(CHANNEL).map((m) => m.text)).toEqual(['after outage']);
  });

  it('accepts 5 posts per response_url, then answers used_url', async () => {
    const app = await httpApp();
    app.command('/deploy', async ({ ack }) => ack());
    const res = await fake.sendSlashCommand(await startHttp(app), {
      command: '/deploy',
      user_id: OPERATOR,
      channel_id: CHANNEL,
    });
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) {
      const r = await fetch(res.responseUrl, {
        method: 'POST',
        body: JSON.stringify({ text: `update ${i}` }),
      });
      statuses.push(r.status);
    }
    expect(statuses).toEqual([200, 200, 200, 200, 200, 404]);
    expect(fake.state.responseUrlPosts.at(-1)?.outcome).toBe('used_url');
    expect(fake.ephemeralsFor(OPERATOR)).toHaveLength(5);
  });
});

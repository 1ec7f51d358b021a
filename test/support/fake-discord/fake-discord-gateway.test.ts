import { once } from 'node:events';
import { ChannelType, GatewayIntentBits } from 'discord-api-types/v10';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { type FakeDiscord, type FakeDiscordOptions, startFakeDiscord } from './index.js';

interface Payload {
  op: number;
  t?: string | null;
  s?: number | null;
  // biome-ignore lint/suspicious/noExplicitAny: gateway payloads are asserted field by field
  d?: any;
}

let fake: FakeDiscord;
const sockets: WebSocket[] = [];

/** A bare gateway client: frames arrive in a queue, `next()` takes the next one. */
async function connect(query = '?v=10&encoding=json') {
  const ws = new WebSocket(`${fake.gatewayUrl}${query}`);
  sockets.push(ws);
  const queue: Payload[] = [];
  const waiters: Array<(p: Payload) => void> = [];
  ws.on('message', (raw) => {
    const payload = JSON.parse(raw.toString()) as Payload;
    const waiter = waiters.shift();
    if (waiter) waiter(payload);
    else queue.push(payload);
  });
  const closed = once(ws, 'close').then(([code]) => code as number);
  await once(ws, 'open');
  return {
    send: (p: Payload) => ws.send(JSON.stringify(p)),
    next: () =>
      new Promise<Payload>((resolve) => (queue.length > 0 ? resolve(queue.shift()!) : waiters.push(resolve))),
    /** Skips frames until a dispatch named `t`. */
    async dispatch(t: string): Promise<Payload> {
      for (;;) {
        const p = await this.next();
        if (p.t === t) return p;
      }
    },
    closed,
  };
}

async function start(options: FakeDiscordOptions = {}) {
  fake = await startFakeDiscord(options);
}

afterEach(async () => {
  for (const ws of sockets.splice(0)) ws.terminate();
  await fake.close();
});

describe('fake Discord gateway', () => {
  it('says HELLO, acknowledges heartbeats and answers IDENTIFY with READY then GUILD_CREATE', async () => {
    await start({
      threads: [
        { name: 'old', parent: 'deploys', archived: true },
        { name: 'live', parent: 'deploys' },
      ],
    });
    const gw = await connect();
    expect(await gw.next()).toMatchObject({ op: 10, d: { heartbeat_interval: 41_250 } });
    gw.send({ op: 1, d: null });
    expect(await gw.next()).toMatchObject({ op: 11 });
    gw.send({ op: 2, d: { token: fake.token, intents: GatewayIntentBits.Guilds, properties: {} } });
    const ready = await gw.next();
    expect(ready).toMatchObject({
      op: 0,
      t: 'READY',
      s: 1,
      d: { v: 10, user: { id: fake.botUserId, bot: true } },
    });
    expect(ready.d.resume_gateway_url).toBe(fake.gatewayUrl);
    const guild = (await gw.next()).d;
    expect(guild.id).toBe(fake.guildId);
    expect(guild.channels.map((c: { name: string }) => c.name)).toEqual(['deploys']);
    // Archived threads are not part of GUILD_CREATE; without GuildPresences only the bot is listed.
    expect(guild.threads.map((c: { name: string }) => c.name)).toEqual(['live']);
    expect(guild.threads[0].type).toBe(ChannelType.PublicThread);
    expect(guild.members.map((m: { user: { id: string } }) => m.user.id)).toEqual([fake.botUserId]);
  });

  it('closes with Discord codes: 4012 bad version, 4004 bad token, 4003 before identify, 4005 twice', async () => {
    await start();
    expect(await (await connect('?v=9&encoding=json')).closed).toBe(4012);
    const badToken = await connect();
    badToken.send({ op: 2, d: { token: 'wrong', intents: 1 } });
    expect(await badToken.closed).toBe(4004);
    const early = await connect();
    early.send({ op: 3, d: { status: 'online' } });
    expect(await early.closed).toBe(4003);
    const twice = await connect();
    twice.send({ op: 2, d: { token: fake.token, intents: 1 } });
    await twice.dispatch('GUILD_CREATE');
    twice.send({ op: 2, d: { token: fake.token, intents: 1 } });
    expect(await twice.closed).toBe(4005);
  });

  it('hides message content of other users without the MessageContent intent', async () => {
    await start({ privilegedIntents: GatewayIntentBits.MessageContent });
    const blind = await connect();
    blind.send({
      op: 2,
      d: { token: fake.token, intents: GatewayIntentBits.Guilds | GatewayIntentBits.GuildMessages },
    });
    await blind.dispatch('GUILD_CREATE');
    const reading = await connect();
    const allIntents =
      GatewayIntentBits.Guilds | GatewayIntentBits.GuildMessages | GatewayIntentBits.MessageContent;
    reading.send({ op: 2, d: { token: fake.token, intents: allIntents } });
    await reading.dispatch('GUILD_CREATE');
    fake.postUserMessage('alice', 'deploys', 'hello bot');
    expect((await blind.dispatch('MESSAGE_CREATE')).d).toMatchObject({
      content: '',
      author: { username: 'alice' },
    });
    expect((await reading.dispatch('MESSAGE_CREATE')).d.content).toBe('hello bot');
  });

  it('resumes a dropped session, replaying missed events in order, and refuses an unknown session', async () => {
    await start();
    const first = await connect();
    first.send({
      op: 2,
      d: { token: fake.token, intents: GatewayIntentBits.Guilds | GatewayIntentBits.GuildMessages },
    });
    const ready = await first.dispatch('READY');
    const created = await first.dispatch('GUILD_CREATE');
    fake.dropGateway();
    await first.closed;
    fake.postUserMessage('bob', 'deploys', 'one');
    fake.postUserMessage('bob', 'deploys', 'two');
    const second = await connect();
    expect((await second.next()).op).toBe(10);
    second.send({ op: 6, d: { token: fake.token, session_id: ready.d.session_id, seq: created.s } });
    const replayed = [await second.next(), await second.next(), await second.next()];
    expect(replayed.map((p) => p.t)).toEqual(['MESSAGE_CREATE', 'MESSAGE_CREATE', 'RESUMED']);
    expect(replayed.map((p) => p.s)).toEqual([3, 4, 5]);
    const stranger = await connect();
    await stranger.next();
    stranger.send({ op: 6, d: { token: fake.token, session_id: 'nope', seq: 1 } });
    expect(await stranger.next()).toMatchObject({ op: 9, d: false });
  });
});

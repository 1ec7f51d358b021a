import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type FakeDiscord, startFakeDiscord } from './index.js';

let fake: FakeDiscord;

interface Answer {
  status: number;
  headers: Headers;
  // biome-ignore lint/suspicious/noExplicitAny: answers are asserted field by field
  body: any;
}

async function api(method: string, path: string, body?: unknown, auth = true): Promise<Answer> {
  const res = await fetch(`${fake.apiBase}/v10${path}`, {
    method,
    headers: {
      ...(auth ? { Authorization: `Bot ${fake.token}` } : {}),
      ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : undefined };
}

const channel = () => fake.channelId('deploys');
const registerDeploy = () =>
  api('PUT', `/applications/${fake.applicationId}/guilds/${fake.guildId}/commands`, [
    {
      name: 'deploy',
      description: 'Deploy',
      options: [
        { type: 3, name: 'mac', description: 'MAC', required: true },
        { type: 4, name: 'count', description: 'How many', required: false },
      ],
    },
  ]);

beforeEach(async () => {
  fake = await startFakeDiscord();
});

afterEach(async () => {
  await fake.close();
});

describe('fake Discord REST rules', () => {
  it('answers 401 without the bot token and counts it as an invalid request', async () => {
    expect(await api('GET', '/users/@me', undefined, false)).toMatchObject({
      status: 401,
      body: { code: 0, message: '401: Unauthorized' },
    });
    expect(fake.state.invalidRequests).toBe(1);
    expect(fake.state.calls[0]).toMatchObject({ authorized: false, status: 401 });
  });

  it('sends per-route rate-limit headers on ordinary answers', async () => {
    const res = await api('POST', `/channels/${channel()}/messages`, { content: 'hi' });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-ratelimit-limit')).toBe('5');
    expect(res.headers.get('x-ratelimit-remaining')).toBe('4');
    expect(res.headers.get('x-ratelimit-bucket')).toMatch(/^[0-9a-f]{32}$/);
    expect(Number(res.headers.get('x-ratelimit-reset-after'))).toBeGreaterThan(0);
    expect(res.body.id).toMatch(/^\d{17,19}$/);
  });

  it('enforces the global limit with global 429s', async () => {
    // A long window keeps the count exact however slow the machine is.
    await fake.close();
    fake = await startFakeDiscord({ rateLimits: { global: { limit: 50, windowMs: 30_000 } } });
    const answers = await Promise.all(Array.from({ length: 60 }, () => api('GET', '/users/@me')));
    const limited = answers.filter((a) => a.status === 429);
    expect(limited).toHaveLength(10);
    expect(limited[0]!.body).toMatchObject({ global: true });
    expect(limited[0]!.headers.get('x-ratelimit-global')).toBe('true');
    expect(limited[0]!.headers.get('x-ratelimit-scope')).toBe('global');
    expect(fake.state.rateLimited).toMatchObject({ global: 10, total: 10 });
  });

  it('refuses embeds over 6000 characters and empty messages, storing nothing', async () => {
    const embeds = [{ description: 'a'.repeat(4000) }, { description: 'b'.repeat(2001) }];
    const big = await api('POST', `/channels/${channel()}/messages`, { embeds });
    expect(big).toMatchObject({
      status: 400,
      body: { code: 50035, errors: { embeds: { _errors: [{ code: 'MAX_EMBED_SIZE_EXCEEDED' }] } } },
    });
    expect(await api('POST', `/channels/${channel()}/messages`, { content: '   ' })).toMatchObject({
      status: 400,
      body: { code: 50006 },
    });
    expect(fake.state.messages(channel())).toHaveLength(0);
  });

  it('answers unknown channels, routes and methods like Discord', async () => {
    expect((await api('GET', '/channels/123456789012345678')).body.code).toBe(10003);
    expect((await api('GET', '/nope')).status).toBe(404);
    expect((await api('PUT', '/users/@me')).status).toBe(405);
  });

  it('lists and removes reactions, and refuses unknown emoji', async () => {
    // Discord allows one reaction call per 250 ms per channel; relax it so back-to-back raw calls pass.
    await fake.close();
    fake = await startFakeDiscord({ rateLimits: { reactions: { limit: 10, windowMs: 250 } } });
    const { body: msg } = await api('POST', `/channels/${channel()}/messages`, { content: 'approve?' });
    const base = `/channels/${channel()}/messages/${msg.id}/reactions`;
    expect((await api('PUT', `${base}/${encodeURIComponent('✅')}/@me`)).status).toBe(204);
    fake.addReaction('alice', 'deploys', msg.id, '✅');
    const users = await api('GET', `${base}/${encodeURIComponent('✅')}`);
    expect(users.body.map((u: { id: string }) => u.id).sort()).toEqual(
      [fake.botUserId, fake.userId('alice')].sort(),
    );
    expect((await api('DELETE', `${base}/${encodeURIComponent('✅')}/${fake.userId('alice')}`)).status).toBe(
      204,
    );
    expect(fake.state.messageById.get(msg.id)!.reactions.get('✅')).toEqual([fake.botUserId]);
    expect((await api('PUT', `${base}/nope/@me`)).body.code).toBe(10014);
  });

  it('answers guild members with their roles', async () => {
    const alice = await api('GET', `/guilds/${fake.guildId}/members/${fake.userId('alice')}`);
    expect(alice.body.roles).toEqual([fake.roleId('approver')]);
    expect((await api('GET', `/guilds/${fake.guildId}/members/123456789012345678`)).body.code).toBe(10007);
  });

  it('validates command sets and keeps command ids across overwrites', async () => {
    const bad = await api('PUT', `/applications/${fake.applicationId}/guilds/${fake.guildId}/commands`, [
      { name: 'Deploy', description: 'x' },
    ]);
    expect(bad).toMatchObject({ status: 400, body: { code: 50035 } });
    const first = await registerDeploy();
    const second = await registerDeploy();
    expect(second.body[0].id).toBe(first.body[0].id);
    expect(() => fake.sendInteraction({ kind: 'command', name: 'other', user: 'alice' })).toThrow(
      /not registered/,
    );
    expect(() =>
      fake.sendInteraction({ kind: 'command', name: 'deploy', options: {}, user: 'alice' }),
    ).toThrow(/requires option "mac"/);
    expect(() =>
      fake.sendInteraction({
        kind: 'command',
        name: 'deploy',
        options: { mac: 'm', count: 1.5 },
        user: 'alice',
      }),
    ).toThrow(/integer/);
  });

  it('enforces one answer per interaction and the interaction webhook rules', async () => {
    await registerDeploy();
    const i = fake.sendInteraction({ kind: 'command', name: 'deploy', options: { mac: 'm' }, user: 'alice' });
    const callback = `/interactions/${i.id}/${i.token}/callback`;
    const hook = `/webhooks/${fake.applicationId}/${i.token}`;
    expect((await api('POST', `${hook}?wait=true`, { content: 'too early' }, false)).body.code).toBe(10015);
    const deferred = await api(
      'POST',
      `${callback}?with_response=true`,
      { type: 5, data: { flags: 64 } },
      false,
    );
    expect(deferred.body.interaction).toMatchObject({
      response_message_loading: true,
      response_message_ephemeral: true,
    });
    expect((await api('POST', callback, { type: 4, data: { content: 'again' } }, false)).body.code).toBe(
      40060,
    );
    // The first followup after a deferred reply fills the placeholder, keeping it ephemeral.
    const filled = await api('POST', `${hook}?wait=true`, { content: 'your token: s3cret' }, false);
    expect(filled.body).toMatchObject({ id: i.originalMessageId, content: 'your token: s3cret', flags: 64 });
    const followup = await api('POST', `${hook}?wait=true`, { content: 'public progress' }, false);
    expect(followup.body.flags).toBe(0);
    expect(fake.state.visibleMessages(channel()).map((m) => m.content)).toEqual(['public progress']);
    fake.expireInteraction(i.id);
    expect((await api('PATCH', `${hook}/messages/@original`, { content: 'late' }, false)).body.code).toBe(
      50027,
    );
  });

  it('refuses a first answer after the interaction deadline with 10062', async () => {
    await fake.close();
    fake = await startFakeDiscord({ interactionDeadlineMs: 0 });
    await registerDeploy();
    const i = fake.sendInteraction({ kind: 'command', name: 'deploy', options: { mac: 'm' }, user: 'bob' });
    const late = await api('POST', `/interactions/${i.id}/${i.token}/callback`, { type: 5 }, false);
    expect(late).toMatchObject({ status: 404, body: { code: 10062 } });
    expect(i.responses).toHaveLength(0);
  });

  it('records a modal answer and delivers the submitted fields', async () => {
    await registerDeploy();
    const i = fake.sendInteraction({ kind: 'command', name: 'deploy', options: { mac: 'm' }, user: 'alice' });
    const modal = {
      custom_id: 'reason',
      title: 'Why?',
      components: [{ type: 1, components: [{ type: 4, custom_id: 'text', label: 'Reason', style: 1 }] }],
    };
    expect(
      (await api('POST', `/interactions/${i.id}/${i.token}/callback`, { type: 9, data: modal }, false))
        .status,
    ).toBe(204);
    expect(i.responses).toMatchObject([{ type: 9, data: { custom_id: 'reason' } }]);
    const submit = fake.sendInteraction({
      kind: 'modal',
      customId: 'reason',
      fields: { text: 'maintenance' },
      user: 'alice',
    });
    expect(submit.payload).toMatchObject({
      type: 5,
      data: {
        custom_id: 'reason',
        components: [{ components: [{ custom_id: 'text', value: 'maintenance' }] }],
      },
    });
  });

  it('injects 5xx answers and dropped connections on matching routes only', async () => {
    fake.failNext(1, 502, /^GET \/users/);
    fake.failNext(1, 'reset', 'POST /channels/:channel/messages');
    expect((await api('GET', `/channels/${channel()}`)).status).toBe(200);
    expect((await api('GET', '/users/@me')).status).toBe(502);
    await expect(api('POST', `/channels/${channel()}/messages`, { content: 'x' })).rejects.toThrow();
    expect((await api('GET', '/users/@me')).status).toBe(200);
    expect(fake.state.messages(channel())).toHaveLength(0);
  });
});

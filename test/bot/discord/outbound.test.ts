import { DiscordAPIError } from 'discord.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isExistingThread, ThreadLockedError, toPlatformError } from '../../../bot/discord/discord-errors.js';
import { createDiscordPlatform, type DiscordPlatform } from '../../../bot/discord/discord-platform.js';
import { RateLimitedError } from '../../../chat/chat-platform.js';
import type { CardModel } from '../../../chat/messages/card.js';
import { createLogger } from '../../../core/logger.js';
import { type FakeDiscord, startFakeDiscord } from '../../support/fake-discord/index.js';
import { testConfig } from '../../support/test-database.js';
import { TEST_CLIENT } from './support/discord-harness.js';

// The notifier's side of the adapter, REST only, as a worker-only process runs it.
let fake: FakeDiscord;
let discord: DiscordPlatform;
let channelId: string;

beforeAll(async () => {
  fake = await startFakeDiscord({ rateLimits: { channelMessages: { limit: 5, windowMs: 60_000 } } });
  channelId = fake.channelId('deploys');
  const config = testConfig({
    DISCORD_TOKEN: fake.token,
    DISCORD_API_BASE: fake.apiBase,
    DISCORD_CHANNEL_ID: channelId,
  });
  discord = createDiscordPlatform(config, createLogger({ level: 'silent' }), { client: TEST_CLIENT });
  await discord.start();
});
afterAll(async () => {
  await discord?.stop();
  await fake?.close();
});

let nextId = 1;
function cardModel(overrides: Partial<CardModel> = {}): CardModel {
  const id = nextId++;
  return {
    deploymentId: id,
    title: `Deployment #${id}: Ubuntu Server 24.04 LTS → srv_01`,
    status: 'pending_approval',
    statusLine: '⏳ Waiting for approval',
    tone: 'pending',
    fields: [{ label: 'MAC', value: '52:54:00:12:34:56' }],
    progress: null,
    awaitingDecision: true,
    footer: 'React ✅ to approve.',
    ...overrides,
  };
}

async function cardAndThread(card = cardModel()) {
  const { messageId } = await discord.postCard(channelId, card);
  const ref = { deploymentId: card.deploymentId, channelId, cardMessageId: messageId, threadId: null };
  const { threadId } = await discord.ensureThread(ref, card.title);
  return { ...ref, threadId };
}

const message = (text: string, key = `k${nextId++}`) => ({ text, key, priority: 'state' as const });

describe('Discord adapter, outbound', () => {
  it('runs a worker-only process on REST alone: no gateway session', () => {
    expect(fake.state.gateway.connections).toBe(0);
  });

  it('starts the thread once: a second call finds the existing one (160004)', async () => {
    const ref = await cardAndThread();
    expect(ref.threadId).toBe(ref.cardMessageId);
    const again = await discord.ensureThread({ ...ref, threadId: null }, 'Deployment again');
    expect(again.threadId).toBe(ref.threadId);
    const refused = fake.state.calls.filter(
      (c) => c.route === '/channels/:channel/messages/:message/threads',
    );
    expect(refused.map((c) => c.status)).toEqual([201, 400]);
    expect([...fake.state.channels.values()].filter((c) => c.parentId === channelId)).toHaveLength(1);
    // discord.js's own check (a cached message that has a thread) counts as "exists" too.
    expect(isExistingThread({ code: 'MessageExistingThread' })).toBe(true);
  });

  it('escapes markdown, mentions nobody and cuts what Discord would refuse, saying so', async () => {
    const ref = await cardAndThread();
    await discord.postThreadMessage(ref, message('@everyone srv_01 is **done** <@123>'));
    const long = `${'*'.repeat(1500)}\nlast line`;
    await discord.postThreadMessage(ref, message(long));
    const [short, cut] = fake.state.visibleMessages(ref.threadId);
    expect(short!.content).toBe('@everyone srv\\_01 is \\*\\*done\\*\\* <@123>');
    expect(cut!.content.length).toBeLessThanOrEqual(2000);
    expect(cut!.content).toMatch(/\n… \(\d+ more characters cut; see \/deploy-status\)$/);
    const bodies = fake.state.calls
      .filter((c) => c.method === 'POST' && c.path === `/channels/${ref.threadId}/messages`)
      .map((c) => c.body as { allowed_mentions: unknown; nonce: string; enforce_nonce: boolean });
    for (const body of bodies) {
      expect(body).toMatchObject({ allowed_mentions: { parse: [] }, enforce_nonce: true });
      expect(body.nonce.length).toBeLessThanOrEqual(25);
    }
  });

  it('keeps a card within embed limits whatever the installer said', async () => {
    const huge = 'x'.repeat(5000);
    const card = cardModel({
      title: huge,
      statusLine: `❌ Failed — ${huge}`,
      footer: huge,
      fields: [{ label: 'MAC', value: huge }],
    });
    const { messageId } = await discord.postCard(channelId, card);
    const posted = fake.state.messageById.get(messageId)!;
    const embed = posted.embeds[0]!;
    const total = [
      embed.title,
      embed.description,
      embed.footer?.text,
      ...(embed.fields ?? []).flatMap((f) => [f.name, f.value]),
    ].join('').length;
    expect(total).toBeLessThanOrEqual(6000);
    expect(posted.content.length).toBeLessThanOrEqual(2000);
  });

  it('reopens an archived thread by posting, and says clearly when it is locked', async () => {
    const ref = await cardAndThread();
    fake.archiveThread(ref.threadId);
    await discord.postThreadMessage(ref, message('after archiving'));
    expect(fake.state.channels.get(ref.threadId)!.archived).toBe(false);
    fake.archiveThread(ref.threadId, { locked: true });
    const error = await discord.postThreadMessage(ref, message('after locking')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ThreadLockedError);
    expect((error as Error).message).toBe(
      `the thread of deployment #${ref.deploymentId} (${ref.threadId}) is archived and locked, so its updates cannot be posted; unlock it, or give the bot Manage Threads, and they will follow`,
    );
    expect(fake.state.visibleMessages(ref.threadId).map((m) => m.content)).toEqual(['after archiving']);
  });

  it('turns a saturated channel into RateLimitedError for its bucket instead of waiting', async () => {
    const ref = await cardAndThread();
    for (let i = 0; i < 5; i++) await discord.postThreadMessage(ref, message(`line ${i}`));
    const error = await discord.postThreadMessage(ref, message('one too many')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RateLimitedError);
    expect(error).toMatchObject({ bucket: `discord:post:${ref.threadId}` });
    expect((error as RateLimitedError).retryAfterMs).toBeGreaterThan(50_000);
    expect(fake.state.visibleMessages(ref.threadId)).toHaveLength(5);
  });

  it('declares Discord’s limits to the notifier: 5 per 5 s per channel (a thread is one), the rest of 50/s', () => {
    const loc = { deploymentId: 1, channelId: 'C', cardMessageId: 'M', threadId: 'T' };
    expect(discord.rateBuckets('postThreadMessage', loc)).toEqual([
      { key: 'discord:post:T', limit: 5, windowMs: 5000 },
      { key: 'discord:global', limit: 40, windowMs: 1000 },
    ]);
    expect(discord.rateBuckets('postCard', loc)[0]).toEqual({
      key: 'discord:post:C',
      limit: 5,
      windowMs: 5000,
    });
    expect(discord.rateBuckets('updateCard', loc)[0]).toEqual({
      key: 'discord:edit:C',
      limit: 5,
      windowMs: 5000,
    });
  });

  it('sends nothing private without an interaction to answer, and never falls back to the channel', async () => {
    const before = fake.state.calls.length;
    await expect(discord.sendPrivate({ id: '1', name: 'bob' }, 'password hunter2')).rejects.toThrow(
      'no private channel to this user outside a command',
    );
    expect(fake.state.calls.length).toBe(before);
  });

  it('reports Discord errors without request bodies or interaction tokens', () => {
    const raw = new DiscordAPIError(
      { code: 50035, message: 'Invalid Form Body' },
      50035,
      400,
      'PATCH',
      'http://127.0.0.1/api/v10/webhooks/123/aW50ZXJhY3Rpb24.secret-token/messages/@original',
      { body: { content: 'password hunter2' } },
    );
    const safe = toPlatformError(raw, 'answering an interaction');
    const shown = `${safe.message} ${JSON.stringify(safe)}`;
    expect(safe.message).toBe(
      'answering an interaction: Discord answered 400 (50035) Invalid Form Body on PATCH /api/v10/webhooks/123/[token]/messages/@original',
    );
    expect(shown).not.toContain('hunter2');
    expect(shown).not.toContain('secret-token');
  });
});

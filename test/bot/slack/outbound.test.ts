import { afterEach, describe, expect, it } from 'vitest';
import type { SlackPlatform } from '../../../bot/slack/create-slack-platform.js';
import { bucketKeys, SLACK_LIMITS } from '../../../bot/slack/rate-limits.js';
import { RateLimitedError } from '../../../chat/chat-platform.js';
import type { CardModel } from '../../../chat/messages/card.js';
import {
  type FakeSlack,
  type FakeSlackOptions,
  METHOD_TIERS,
  startFakeSlack,
} from '../../support/fake-slack/index.js';
import { platformOnly, slackConfig } from './support/platform-only.js';
import { CHANNEL, OPERATOR } from './support/slack-harness.js';

let fake: FakeSlack;
let platform: SlackPlatform;
let logs: Record<string, unknown>[];

async function setup(opts: FakeSlackOptions = {}) {
  fake = await startFakeSlack(opts);
  ({ platform, logs } = platformOnly(slackConfig(fake, 'http')));
}
afterEach(async () => {
  await platform?.stop();
  await fake?.close();
});

const card = (over: Partial<CardModel> = {}): CardModel => ({
  deploymentId: 7,
  title: 'Deployment #7: Tiny Linux → srv07',
  status: 'pending_approval',
  statusLine: '⏳ Waiting for approval',
  tone: 'pending',
  fields: [{ label: 'MAC', value: '52:54:00:00:00:07' }],
  progress: null,
  awaitingDecision: true,
  footer: 'React ✅ to approve or ❌ to reject.',
  ...over,
});
const loc = { deploymentId: 7, channelId: CHANNEL, cardMessageId: null, threadId: null };

describe('Slack rate buckets', () => {
  it('a channel shares one post bucket between cards and every thread in it, at 1 per second', async () => {
    await setup();
    const cards = platform.rateBuckets('postCard', loc).map((b) => b.key);
    const thread = platform.rateBuckets('postThreadMessage', { ...loc, cardMessageId: 'x', threadId: 'y' });
    expect(cards).toContain(`slack:post:${CHANNEL}`);
    expect(thread).toContainEqual({ key: `slack:post:${CHANNEL}`, limit: 1, windowMs: 1000 });
    expect(platform.rateBuckets('createThread', loc)).toEqual([]);
  });

  it('stays within the Tier 3 limits of chat.update and reactions.add (two reactions per card)', async () => {
    await setup();
    const perMinute = (b: { limit: number; windowMs: number }) => (b.limit * 60_000) / b.windowMs;
    expect(perMinute(SLACK_LIMITS.update)).toBeLessThanOrEqual(METHOD_TIERS['chat.update']!.perMinute);
    expect(2 * perMinute(SLACK_LIMITS.cardReactions)).toBeLessThanOrEqual(
      METHOD_TIERS['reactions.add']!.perMinute,
    );
    // The pace spends the same minute evenly; it never allows more than the minute does.
    expect(perMinute(SLACK_LIMITS.updatePace)).toBeLessThanOrEqual(perMinute(SLACK_LIMITS.update));
    expect(platform.rateBuckets('updateCard', loc)).toEqual([
      { key: bucketKeys.update, ...SLACK_LIMITS.update },
      { key: bucketKeys.updatePace, ...SLACK_LIMITS.updatePace },
    ]);
    expect(platform.rateBuckets('postCard', loc).map((b) => b.key)).toContain(bucketKeys.cardReactions);
  });
});

describe('Slack outbound calls', () => {
  it('posts the card in Block Kit with the bot’s ✅ and ❌, and opens its thread under it', async () => {
    await setup();
    const { messageId } = await platform.postCard(CHANNEL, card());
    const [posted] = fake.channelMessages(CHANNEL);
    expect(messageId).toBe(`${CHANNEL}/${posted!.ts}`);
    expect(fake.state.reactionsBy(CHANNEL, posted!.ts, fake.botUserId)).toEqual(['white_check_mark', 'x']);
    const ref = { ...loc, cardMessageId: messageId };
    const { threadId } = await platform.ensureThread(ref, 'ignored');
    expect(threadId).toBe(posted!.ts);
    await platform.postThreadMessage(
      { ...ref, threadId },
      { text: 'a <b> & c', key: 'k', priority: 'state' },
    );
    expect(fake.thread(CHANNEL, posted!.ts).map((m) => m.text)).toEqual([
      posted!.text,
      'a &lt;b&gt; &amp; c',
    ]);
  });

  it('answers a 429 as RateLimitedError with Retry-After and the bucket, without retrying it', async () => {
    await setup({ rateLimits: { methods: { 'chat.update': { perMinute: 1, burst: 1 } } } });
    const { messageId } = await platform.postCard(CHANNEL, card());
    const ref = { ...loc, cardMessageId: messageId };
    await platform.updateCard(ref, card({ statusLine: 'first edit' }));
    const error = await platform.updateCard(ref, card({ statusLine: 'second edit' })).catch((e) => e);
    expect(error).toBeInstanceOf(RateLimitedError);
    expect(error).toMatchObject({ bucket: bucketKeys.update });
    expect(error.retryAfterMs).toBeGreaterThanOrEqual(1000);
    expect(fake.state.rateLimited).toHaveLength(1);
  });

  it('names the channel bucket when a thread reply is refused', async () => {
    await setup({ rateLimits: { postMessagePerChannel: { perMinute: 1, burst: 1 } } });
    const { messageId } = await platform.postCard(CHANNEL, card());
    const ts = messageId.split('/')[1]!;
    const error = await platform
      .postThreadMessage(
        { ...loc, cardMessageId: messageId, threadId: ts },
        { text: 'x', key: 'k', priority: 'state' },
      )
      .catch((e) => e);
    expect(error).toMatchObject({ name: 'RateLimitedError', bucket: `slack:post:${CHANNEL}` });
  });

  it('keeps a posted card when its reactions fail, so the notifier does not post it twice', async () => {
    await setup();
    fake.failNext({ method: 'reactions.add', error: 'fatal_error', times: 2 });
    const { messageId } = await platform.postCard(CHANNEL, card());
    expect(fake.channelMessages(CHANNEL)).toHaveLength(1);
    expect(messageId).toMatch(new RegExp(`^${CHANNEL}/`));
    expect(logs.filter((l) => l.msg === 'could not add a reaction to the card')).toHaveLength(2);
  });

  it('adds no reactions to a card that is already decided', async () => {
    await setup();
    await platform.postCard(CHANNEL, card({ awaitingDecision: false, status: 'approved' }));
    expect(fake.state.calls.filter((c) => c.method === 'reactions.add')).toEqual([]);
  });

  it('leaves a deleted card alone instead of failing forever', async () => {
    await setup();
    const { messageId } = await platform.postCard(CHANNEL, card());
    fake.state.deleteMessage(fake.channelMessages(CHANNEL)[0]!);
    await expect(platform.updateCard({ ...loc, cardMessageId: messageId }, card())).resolves.toBeUndefined();
  });

  it('does not let a private message reach an error or a log when Slack refuses it', async () => {
    await setup();
    fake.failNext({ method: 'chat.postEphemeral', error: 'fatal_error' });
    const secret = 'password Hunter2-very-secret';
    const error = await platform
      .sendPrivate({ id: OPERATOR, name: 'operator' }, secret, { channelId: CHANNEL })
      .catch((e) => e);
    expect(error.message).toBe('could not send a private Slack message: fatal_error');
    expect(JSON.stringify([error, Object.entries(error), logs])).not.toContain('Hunter2');
    await expect(platform.sendPrivate({ id: OPERATOR, name: 'operator' }, secret)).rejects.toThrow(
      /no response_url or channel/,
    );
  });
});

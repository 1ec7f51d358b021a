import { startFakeDiscord } from '../../test/support/fake-discord/index.js';
import { startFakeSlack } from '../../test/support/fake-slack/index.js';

/** Where a deployment lives in chat (its `chat_ref` row). */
export interface ChatRefRow {
  deploymentId: number;
  channelId: string;
  cardMessageId: string | null;
  threadId: string | null;
}

/** A message or a version of one, with the moment it appeared. */
export interface Seen {
  at: number;
  text: string;
}

/**
 * One fake chat platform as the benchmark reads it: the environment that points Octofleet at it, and
 * what it received. Both fakes enforce their platform's rate limits and answer 429 as it would.
 */
export interface FanoutPlatform {
  name: 'discord' | 'slack';
  env: Record<string, string>;
  /** A position in the call log, to count the calls of one phase. */
  mark(): number;
  /** API calls since `mark`, by route or method. */
  callsSince(mark: number): Record<string, number>;
  /** 429s answered so far. */
  rateLimited(): number;
  /** Thread replies (not the card), oldest first. */
  thread(ref: ChatRefRow): Seen[];
  /** Every version the card had, oldest first. */
  cardVersions(ref: ChatRefRow): Seen[];
  /** Channel digests (messages in the channel itself carrying deployments' lines), oldest first. */
  channelDigests?(): Seen[];
  /** The channel boards (the card showing a saturated channel's deployments at once): each one's versions. */
  boards(): Seen[][];
  close(): Promise<void>;
}

export async function fakeDiscordPlatform(): Promise<FanoutPlatform> {
  const fake = await startFakeDiscord();
  const channel = fake.channelId('deploys');
  const s = fake.state;
  const platform: FanoutPlatform = {
    name: 'discord',
    env: {
      DISCORD_TOKEN: fake.token,
      DISCORD_APPLICATION_ID: fake.applicationId,
      DISCORD_GUILD_ID: fake.guildId,
      DISCORD_CHANNEL_ID: channel,
      DISCORD_APPROVER_ROLE_IDS: fake.roleId('approver'),
      DISCORD_API_BASE: fake.apiBase,
    },
    mark: () => s.calls.length,
    callsSince(mark) {
      return tally(s.calls.slice(mark).map((c) => `${c.method} ${c.route ?? c.path}`));
    },
    rateLimited: () => s.rateLimited.total,
    thread(ref) {
      if (!ref.threadId) return [];
      return s.messages(ref.threadId).map((m) => ({ at: Date.parse(m.createdAt), text: m.content }));
    },
    channelDigests() {
      return s
        .messages(channel)
        .filter((m) => isDigest(m.content))
        .map((m) => ({ at: Date.parse(m.createdAt), text: m.content }));
    },
    cardVersions(ref) {
      const card = ref.cardMessageId ? s.messageById.get(ref.cardMessageId) : undefined;
      if (!card) return [];
      const text = (v: { content: string; embeds: unknown[] }) => `${v.content}\n${JSON.stringify(v.embeds)}`;
      return [
        ...card.edits.map((v) => ({ at: Date.parse(v.at), text: text(v) })),
        { at: Date.parse(card.editedAt ?? card.createdAt), text: text(card) },
      ];
    },
    boards() {
      return s
        .messages(channel)
        .filter((m) => isBoard(JSON.stringify(m.embeds)))
        .map((m) =>
          platform.cardVersions({ deploymentId: 0, channelId: channel, cardMessageId: m.id, threadId: null }),
        );
    },
    close: () => fake.close(),
  };
  return platform;
}

export async function fakeSlackPlatform(): Promise<FanoutPlatform> {
  const fake = await startFakeSlack();
  const channel = 'C0DEPLOYS01';
  const s = fake.state;
  const tsMs = (ts: string) => Number(ts) * 1000;
  const platform: FanoutPlatform = {
    name: 'slack',
    env: {
      SLACK_BOT_TOKEN: fake.botToken,
      SLACK_SIGNING_SECRET: fake.signingSecret,
      SLACK_API_URL: fake.apiUrl,
      SLACK_CHANNEL_ID: channel,
      SLACK_APPROVER_USER_IDS: 'U0APPROVER1',
    },
    mark: () => s.calls.length,
    callsSince: (mark) => tally(s.calls.slice(mark).map((c) => c.method)),
    rateLimited: () => s.rateLimited.length,
    thread(ref) {
      const ts = cardTs(ref);
      if (!ts) return [];
      return fake
        .thread(channel, ts)
        .slice(1)
        .map((m) => ({ at: tsMs(m.ts), text: unescapeSlack(m.text) }));
    },
    channelDigests() {
      return s
        .channelMessages(channel)
        .map((m) => ({ at: tsMs(m.ts), text: unescapeSlack(m.text) }))
        .filter((m) => isDigest(m.text));
    },
    cardVersions(ref) {
      const ts = cardTs(ref);
      const card = ts ? s.findMessage(channel, ts) : undefined;
      if (!card) return [];
      // A version lasts from its predecessor's replacement (`editedTs`) to its own.
      const starts = [card.ts, ...card.edits.map((e) => e.editedTs)];
      const bodies = [...card.edits, card].map((v) => `${v.text}\n${JSON.stringify(v.blocks ?? [])}`);
      return bodies.map((text, i) => ({ at: tsMs(starts[i]!), text: unescapeSlack(text) }));
    },
    boards() {
      return s
        .channelMessages(channel)
        .filter((m) => isBoard(m.text))
        .map((m) =>
          platform.cardVersions({
            deploymentId: 0,
            channelId: channel,
            cardMessageId: `${channel}/${m.ts}`,
            threadId: null,
          }),
        );
    },
    close: () => fake.close(),
  };
  return platform;
}

/** A channel digest's rows start with the deployment: `#42 web07: ✅ Done in 14m 02s`. */
const isDigest = (text: string) => /^#\d+ \S+: /.test(text);

/** The channel board's title (chat/messages/board-card.ts). */
const isBoard = (text: string) => text.includes('Channel board: ');

/** The adapter stores a card as `<channel>/<ts>` (bot/slack/message-ids.ts). */
const cardTs = (ref: ChatRefRow) => ref.cardMessageId?.split('/').at(-1);

function tally(keys: string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const k of keys) out[k] = (out[k] ?? 0) + 1;
  return out;
}

const unescapeSlack = (text: string) =>
  text.replaceAll('&lt;', '<').replaceAll('&gt;', '>').replaceAll('&amp;', '&');

import { MessageFlags } from 'discord.js';
import type { FakeInteraction, FakeMessage } from '../../../support/fake-discord/index.js';
import type { DiscordHarness } from './discord-harness.js';

const WAIT_MS = 20_000;

/** Text as a Discord user sees it: markdown escapes resolved. */
export function shown(text: string): string {
  return text.replace(/\\([\\*_`~|>#\-[\]().!:])/g, '$1');
}

/** An answer the bot gave to one interaction, as its user sees it. */
export interface Answer {
  text: string;
  ephemeral: boolean;
  embedTitles: string[];
}

/** Messages answering an interaction (the filled "thinking…" reply, then follow-ups), in order. */
export function answers(h: DiscordHarness, i: FakeInteraction): Answer[] {
  return h.fake.state
    .messages(i.channelId)
    .filter((m) => m.interactionId === i.id && (m.flags & MessageFlags.Loading) === 0)
    .map((m) => ({
      text: shown(m.content),
      ephemeral: (m.flags & MessageFlags.Ephemeral) !== 0,
      embedTitles: m.embeds.map((e) => shown(e.title ?? '')),
    }));
}

/** Runs a slash command as `user` in #deploys and waits for `count` answers. */
export async function slash(
  h: DiscordHarness,
  user: string,
  name: string,
  options: Record<string, string | number> = {},
  count = 1,
): Promise<{ interaction: FakeInteraction; answers: Answer[] }> {
  const interaction = h.fake.sendInteraction({ kind: 'command', name, options, user, channel: 'deploys' });
  const got = await h.fake.waitFor(
    () => {
      const a = answers(h, interaction);
      return a.length >= count ? a : null;
    },
    WAIT_MS,
    `${count} answer(s) to /${name}`,
  );
  return { interaction, answers: got };
}

/** `/deploy` as `user`; returns the new deployment's id and the answers. */
export async function deploy(
  h: DiscordHarness,
  user: string,
  options: Record<string, string>,
): Promise<{ id: number; answers: Answer[] }> {
  const { answers: got } = await slash(h, user, 'deploy', options, 2);
  const id = /Deployment #(\d+) requested/.exec(got.map((a) => a.text).join('\n'))?.[1];
  if (!id) throw new Error(`deploy refused: ${got.map((a) => a.text).join(' | ')}`);
  return { id: Number(id), answers: got };
}

/** The card of a deployment in #deploys, once the notifier posted it. */
export function card(
  h: DiscordHarness,
  id: number,
  until?: (m: FakeMessage) => boolean,
): Promise<FakeMessage> {
  return h.fake.waitFor(
    (s) => {
      const m = s
        .visibleMessages(h.fake.channelId('deploys'))
        .find((msg) => shown(msg.embeds[0]?.title ?? '').startsWith(`Deployment #${id}:`));
      return m && (!until || until(m)) ? m : null;
    },
    WAIT_MS,
    `card of #${id}`,
  );
}

/** Waits until the card's state line (second content line) matches. */
export function cardShows(h: DiscordHarness, id: number, pattern: RegExp): Promise<FakeMessage> {
  return card(h, id, (m) => pattern.test(shown(m.content).split('\n')[1] ?? ''));
}

/** Every line posted in the deployment's thread, as users see them. */
export function threadLines(h: DiscordHarness, threadId: string): string[] {
  return h.fake.state.visibleMessages(threadId).flatMap((m) => shown(m.content).split('\n'));
}

/** Waits until a thread line matches; returns all lines. */
export function threadShows(h: DiscordHarness, threadId: string, pattern: RegExp): Promise<string[]> {
  return h.fake.waitFor(
    () => {
      const lines = threadLines(h, threadId);
      return lines.some((l) => pattern.test(l)) ? lines : null;
    },
    WAIT_MS,
    `thread line ${pattern}`,
  );
}

/** The status of a deployment in Postgres. */
export async function status(h: DiscordHarness, id: number): Promise<string> {
  return (await h.core.deployments.repository().get(id)).status;
}

/** POSTs an installer callback to the real boot server. */
export async function callback(h: DiscordHarness, id: number, body: Record<string, string | number>) {
  const d = await h.core.deployments.repository().get(id);
  const res = await fetch(`${h.bootUrl}/cb/${h.core.deployments.tokenFor(d)}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(Object.entries(body).map(([k, v]) => [k, String(v)])).toString(),
  });
  if (!res.ok) throw new Error(`callback answered ${res.status}: ${await res.text()}`);
}

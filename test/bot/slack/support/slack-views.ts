import type { FakeMessage } from '../../../support/fake-slack/index.js';
import type { SlackHarness } from './slack-harness.js';
import { CHANNEL } from './slack-harness.js';

/** What a user sees of Slack messages: the text of every block, joined (cards are blocks). */
export function visibleText(m: Pick<FakeMessage, 'text' | 'blocks'>): string {
  const parts: string[] = [m.text];
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) node.forEach(walk);
    else if (node && typeof node === 'object') {
      const o = node as Record<string, unknown>;
      if (typeof o.text === 'string') parts.push(o.text);
      for (const v of Object.values(o)) if (typeof v === 'object') walk(v);
    }
  };
  walk(m.blocks ?? []);
  return parts.join('\n');
}

/** The card of deployment `id` in the channel, once the notifier posted it. */
export function cardOf(h: SlackHarness, id: number, timeoutMs = 15_000): Promise<FakeMessage> {
  return h.fake.waitFor(
    () => h.fake.channelMessages(CHANNEL).find((m) => m.text.startsWith(`Deployment #${id}:`)),
    timeoutMs,
    `the card of #${id}`,
  );
}

/** Lines of the card's thread replies, in order. */
export function threadLines(h: SlackHarness, cardTs: string): string[] {
  return h.fake
    .thread(CHANNEL, cardTs)
    .slice(1)
    .flatMap((m) => m.text.split('\n'));
}

/** Waits until a thread line matches. */
export function threadShows(h: SlackHarness, cardTs: string, pattern: RegExp, timeoutMs = 20_000) {
  return h.fake.waitFor(
    () => threadLines(h, cardTs).some((l) => pattern.test(l)),
    timeoutMs,
    `a thread line ${pattern}`,
  );
}

/** Waits until the card (as edited) shows text matching `pattern`. */
export function cardShows(h: SlackHarness, cardTs: string, pattern: RegExp, timeoutMs = 20_000) {
  return h.fake.waitFor(
    () => {
      const m = h.fake.state.findMessage(CHANNEL, cardTs);
      return m && pattern.test(visibleText(m));
    },
    timeoutMs,
    `the card to show ${pattern}`,
  );
}

/** Waits for an ephemeral message to `user` matching `pattern`. */
export function ephemeralShows(h: SlackHarness, user: string, pattern: RegExp, timeoutMs = 10_000) {
  return h.fake.waitFor(
    () => h.fake.ephemeralsFor(user).find((e) => pattern.test(e.text)),
    timeoutMs,
    `an ephemeral to ${user} matching ${pattern}`,
  );
}

/** The deployment id in a `/deploy` ephemeral reply. */
export async function requestedId(h: SlackHarness, user: string, before: number): Promise<number> {
  const e = await h.fake.waitFor(
    () =>
      h.fake
        .ephemeralsFor(user)
        .slice(before)
        .find((x) => /Deployment #\d+ requested/.test(x.text)),
    10_000,
    'the /deploy reply',
  );
  return Number(/#(\d+)/.exec(e.text)![1]);
}

/** Whether the card still offers the Approve/Reject buttons. */
export function hasButtons(m: FakeMessage): boolean {
  return JSON.stringify(m.blocks ?? []).includes('"type":"actions"');
}

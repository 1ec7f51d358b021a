/**
 * A Slack message is identified by its channel and its `ts`; a `ts` alone is only unique within a
 * channel. The card's id, as stored in `chat_ref.card_message_id`, is `<channel>/<ts>`; its thread id is
 * the card's `ts` (a Slack thread is the parent message's ts).
 */
export function cardMessageId(channel: string, ts: string): string {
  return `${channel}/${ts}`;
}

/** Splits a card id back into channel and ts; throws on ids this adapter did not write. */
export function parseCardMessageId(id: string): { channel: string; ts: string } {
  const slash = id.indexOf('/');
  if (slash <= 0 || slash === id.length - 1) throw new Error(`not a Slack card id: ${id}`);
  return { channel: id.slice(0, slash), ts: id.slice(slash + 1) };
}

import type { RespondFn } from '@slack/bolt';

/**
 * What the adapter hands the shared layer as `ChatCommand.context` / `ChatDecision.context`, and gets
 * back in `sendPrivate`: where a private answer to this user can go.
 */
export interface ReplyContext {
  /** The slash command's or button's response_url (5 uses within 30 minutes). */
  respond?: RespondFn;
  /** The channel it happened in, for `chat.postEphemeral`. */
  channelId?: string;
}

/**
 * Narrows the context the shared layer hands back (opaque to it, `unknown` by design) to ours: only
 * what this adapter put in comes back, but a check costs nothing and replaces a blind cast.
 */
export function asReplyContext(context: unknown): ReplyContext | undefined {
  if (!context || typeof context !== 'object') return undefined;
  const { respond, channelId } = context as Record<string, unknown>;
  return {
    ...(typeof respond === 'function' ? { respond: respond as RespondFn } : {}),
    ...(typeof channelId === 'string' ? { channelId } : {}),
  };
}

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

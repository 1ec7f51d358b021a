/**
 * Shapes of the fake Slack workspace. Field names follow the Slack Web API JSON so that a test can compare
 * what the fake holds with what a real client would have received.
 */

/** A conversation (public or private channel) in the fake workspace. */
export interface FakeChannel {
  id: string;
  name: string;
  /** @defaultValue false */
  isPrivate?: boolean;
  /** @defaultValue false */
  isArchived?: boolean;
  /** Whether the bot user is a member; when false, `chat.postMessage` answers `not_in_channel`. @defaultValue true */
  botIsMember?: boolean;
  /** User ids in the channel. When given, `chat.postEphemeral` to anyone else answers `user_not_in_channel`. */
  members?: string[];
}

/** A human (or bot) user of the fake workspace. */
export interface FakeUser {
  id: string;
  name: string;
  realName?: string;
  isBot?: boolean;
  isAdmin?: boolean;
  /** @defaultValue 'UTC' */
  tz?: string;
}

/** A user group (`@oncall`), queried with `usergroups.users.list`. */
export interface FakeUsergroup {
  id: string;
  handle: string;
  users: string[];
}

/** One reaction on a message, as Slack lists it. */
export interface FakeReaction {
  name: string;
  users: string[];
  count: number;
}

/** A previous version of an edited message. */
export interface FakeEdit {
  text: string;
  blocks?: unknown[];
  /** ts of the edit (the moment the version was replaced). */
  editedTs: string;
}

/** A message stored in a channel (top level or thread reply). */
export interface FakeMessage {
  type: 'message';
  channel: string;
  ts: string;
  user: string;
  text: string;
  blocks?: unknown[];
  /** Set on replies, and on a parent once it has replies (then equal to its own ts). */
  thread_ts?: string;
  bot_id?: string;
  app_id?: string;
  reply_count?: number;
  reply_users?: string[];
  latest_reply?: string;
  edited?: { user: string; ts: string };
  reactions?: FakeReaction[];
  /** Earlier versions, oldest first; empty if never edited. Not part of Slack's JSON. */
  edits: FakeEdit[];
  /** True once deleted (through `chat.delete` or `delete_original`). Not part of Slack's JSON. */
  deleted?: boolean;
}

/** An ephemeral message: seen only by `user`, never stored in the channel. */
export interface FakeEphemeral {
  channel: string;
  user: string;
  text: string;
  blocks?: unknown[];
  thread_ts?: string;
  /** `chat.postEphemeral`, a `response_url` post, or the body of the app's ack to a slash command. */
  via: 'chat.postEphemeral' | 'response_url' | 'ack';
  message_ts: string;
}

/** One POST the app made to a `response_url` the fake generated, and what Slack did with it. */
export interface FakeResponseUrlPost {
  url: string;
  body: Record<string, unknown>;
  status: number;
  /** `ephemeral`, `in_channel`, `replace_original`, `delete_original`, or the error text Slack answered. */
  outcome: string;
}

/** One Web API request as the fake saw it. Tokens are never recorded. */
export interface FakeApiCall {
  method: string;
  params: Record<string, unknown>;
  status: number;
  ok: boolean;
  error?: string;
  /** Set when answered 429. */
  retryAfter?: number;
}

/** A 429 the fake answered. */
export interface FakeRateLimitHit {
  method: string;
  /** The bucket that was empty, e.g. `chat.postMessage:C0DEPLOY` or `reactions.add`. */
  bucket: string;
  retryAfter: number;
}

/** Error injection for the Web API: one entry is consumed per matching request. */
export interface FakeFailure {
  /** Web API method to fail, or `'*'` for any. */
  method: string;
  /** HTTP status to answer (5xx). Ignored when `error` or `reset` is set. @defaultValue 500 */
  status?: number;
  /** Answer HTTP 200 `{ok:false, error}` instead, as Slack does for e.g. `fatal_error`. */
  error?: string;
  /** Destroy the TCP connection without an answer. */
  reset?: boolean;
  /** How many requests to fail. @defaultValue 1 */
  times?: number;
}

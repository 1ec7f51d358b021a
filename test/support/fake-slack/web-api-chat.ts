import { parseContent } from './message-content.js';
import { type FakeSlackState, toSlackJson } from './state.js';

/** What a Web API method handler receives. */
export interface ApiRequest {
  state: FakeSlackState;
  params: Record<string, unknown>;
}

/** A Web API answer body; `ok:false` answers carry `error`. */
export type ApiAnswer = Record<string, unknown> & { ok: boolean };

/** A Web API method of the fake. */
export type ApiHandler = (req: ApiRequest) => ApiAnswer;

const fail = (error: string): ApiAnswer => ({ ok: false, error });

const TS_PATTERN = /^\d{10}\.\d{6}$/;

/** Finds the channel or answers the error Slack would give for posting there. */
function writableChannel(state: FakeSlackState, channel: unknown) {
  const c = state.resolveChannel(channel);
  if (!c) return { error: 'channel_not_found' };
  if (c.isArchived) return { error: 'is_archived' };
  if (!c.botIsMember) return { error: 'not_in_channel' };
  return { channel: c };
}

const postMessage: ApiHandler = ({ state, params }) => {
  const target = writableChannel(state, params.channel);
  if (!target.channel) return fail(target.error);
  const content = parseContent(params);
  if (!content.ok) return fail(content.error);
  const channelId = target.channel.id;
  let threadTs: string | undefined;
  if (params.thread_ts !== undefined && params.thread_ts !== '') {
    const ts = String(params.thread_ts);
    if (!TS_PATTERN.test(ts)) return fail('invalid_thread_ts');
    const parent = state.findMessage(channelId, ts);
    if (!parent) return fail('thread_not_found');
    // Slack threads are one level deep: a reply's ts lands in its parent's thread.
    threadTs = parent.thread_ts ?? parent.ts;
  }
  const msg = state.addMessage(channelId, {
    user: state.identity.botUserId,
    text: content.text,
    blocks: content.blocks,
    thread_ts: threadTs,
  });
  return { ok: true, channel: channelId, ts: msg.ts, message: toSlackJson(msg) };
};

const update: ApiHandler = ({ state, params }) => {
  const c = state.resolveChannel(params.channel);
  if (!c) return fail('channel_not_found');
  const msg = state.findMessage(c.id, params.ts);
  if (!msg) return fail('message_not_found');
  if (msg.user !== state.identity.botUserId) return fail('cant_update_message');
  if (c.isArchived) return fail('is_archived');
  const content = parseContent(params);
  if (!content.ok) return fail(content.error);
  state.editMessage(msg, { text: content.text, blocks: content.blocks }, state.identity.botUserId);
  return { ok: true, channel: c.id, ts: msg.ts, text: msg.text, message: toSlackJson(msg) };
};

const del: ApiHandler = ({ state, params }) => {
  const c = state.resolveChannel(params.channel);
  if (!c) return fail('channel_not_found');
  const msg = state.findMessage(c.id, params.ts);
  if (!msg) return fail('message_not_found');
  if (msg.user !== state.identity.botUserId) return fail('cant_delete_message');
  state.deleteMessage(msg);
  return { ok: true, channel: c.id, ts: msg.ts };
};

const postEphemeral: ApiHandler = ({ state, params }) => {
  const target = writableChannel(state, params.channel);
  if (!target.channel) return fail(target.error);
  const user = typeof params.user === 'string' ? params.user : '';
  if (!state.users.has(user)) return fail('user_not_found');
  const members = target.channel.members;
  if (members && !members.includes(user)) return fail('user_not_in_channel');
  const content = parseContent(params);
  if (!content.ok) return fail(content.error);
  const e = state.addEphemeral({
    channel: target.channel.id,
    user,
    text: content.text,
    blocks: content.blocks,
    thread_ts: typeof params.thread_ts === 'string' && params.thread_ts ? params.thread_ts : undefined,
    via: 'chat.postEphemeral',
  });
  return { ok: true, message_ts: e.message_ts };
};

/** Reaction name as Slack accepts it: no colons around, optional skin tone. */
const REACTION_NAME = /^[a-z0-9_+'-]+(::skin-tone-[2-6])?$/;

function reactionTarget(
  state: FakeSlackState,
  params: Record<string, unknown>,
): { error: string } | { channel: string; ts: string } {
  if (!params.channel || !params.timestamp) return { error: 'no_item_specified' };
  const c = state.resolveChannel(params.channel);
  if (!c) return { error: 'channel_not_found' };
  if (!TS_PATTERN.test(String(params.timestamp))) return { error: 'bad_timestamp' };
  return { channel: c.id, ts: String(params.timestamp) };
}

const reactionsAdd: ApiHandler = ({ state, params }) => {
  const t = reactionTarget(state, params);
  if ('error' in t) return fail(t.error);
  const name = String(params.name ?? '');
  if (!REACTION_NAME.test(name)) return fail('invalid_name');
  const r = state.addReaction(t.channel, t.ts, state.identity.botUserId, name);
  return r === 'ok' ? { ok: true } : fail(r);
};

const reactionsRemove: ApiHandler = ({ state, params }) => {
  const t = reactionTarget(state, params);
  if ('error' in t) return fail(t.error);
  const name = String(params.name ?? '');
  if (!REACTION_NAME.test(name)) return fail('invalid_name');
  const r = state.removeReaction(t.channel, t.ts, state.identity.botUserId, name);
  return r === 'ok' ? { ok: true } : fail(r);
};

const reactionsGet: ApiHandler = ({ state, params }) => {
  const t = reactionTarget(state, params);
  if ('error' in t) return fail(t.error);
  const msg = state.findMessage(t.channel, t.ts);
  if (!msg) return fail('message_not_found');
  return { ok: true, type: 'message', channel: t.channel, message: toSlackJson(msg) };
};

/** chat.* and reactions.* methods. */
export const chatMethods: Record<string, ApiHandler> = {
  'chat.postMessage': postMessage,
  'chat.update': update,
  'chat.delete': del,
  'chat.postEphemeral': postEphemeral,
  'reactions.add': reactionsAdd,
  'reactions.remove': reactionsRemove,
  'reactions.get': reactionsGet,
};

import { toSlackJson } from './state.js';
import type { ApiAnswer, ApiHandler } from './web-api-chat.js';

const fail = (error: string): ApiAnswer => ({ ok: false, error });

const authTest: ApiHandler = ({ state }) => {
  const { teamId, teamDomain, botUserId, botId } = state.identity;
  const bot = state.users.get(botUserId);
  return {
    ok: true,
    url: `https://${teamDomain}.slack.com/`,
    team: teamDomain,
    user: bot?.name ?? 'octofleet',
    team_id: teamId,
    user_id: botUserId,
    bot_id: botId,
    is_enterprise_install: false,
  };
};

const conversationsInfo: ApiHandler = ({ state, params }) => {
  const c = state.resolveChannel(params.channel);
  if (!c) return fail('channel_not_found');
  return {
    ok: true,
    channel: {
      id: c.id,
      name: c.name,
      name_normalized: c.name,
      is_channel: !c.isPrivate,
      is_group: false,
      is_im: false,
      is_mpim: false,
      is_private: c.isPrivate,
      is_archived: c.isArchived,
      is_member: c.botIsMember,
      created: 1_700_000_000,
      ...(c.members ? { num_members: c.members.length } : {}),
    },
  };
};

/** Pages are cut with an opaque cursor; Slack's are base64 too. */
const cursorOf = (offset: number) => Buffer.from(`offset:${offset}`).toString('base64');
const offsetOf = (cursor: unknown) => {
  if (typeof cursor !== 'string' || cursor === '') return 0;
  const m = /^offset:(\d+)$/.exec(Buffer.from(cursor, 'base64').toString());
  return m ? Number(m[1]) : -1;
};

const conversationsReplies: ApiHandler = ({ state, params }) => {
  const c = state.resolveChannel(params.channel);
  if (!c) return fail('channel_not_found');
  const msg = state.findMessage(c.id, params.ts);
  if (!msg) return fail('thread_not_found');
  // A reply's ts answers its whole thread, as documented for this method.
  const all = state.thread(c.id, msg.thread_ts ?? msg.ts);
  const offset = offsetOf(params.cursor);
  if (offset < 0) return fail('invalid_cursor');
  const limit = Math.min(Math.max(Number(params.limit ?? 1000) || 1000, 1), 1000);
  const page = all.slice(offset, offset + limit);
  const more = offset + limit < all.length;
  return {
    ok: true,
    messages: page.map(toSlackJson),
    has_more: more,
    response_metadata: { next_cursor: more ? cursorOf(offset + limit) : '' },
  };
};

const usersInfo: ApiHandler = ({ state, params }) => {
  const u = state.users.get(String(params.user ?? ''));
  if (!u) return fail('user_not_found');
  return {
    ok: true,
    user: {
      id: u.id,
      team_id: state.identity.teamId,
      name: u.name,
      real_name: u.realName ?? u.name,
      deleted: false,
      is_bot: u.isBot ?? false,
      is_admin: u.isAdmin ?? false,
      tz: u.tz ?? 'UTC',
      profile: { real_name: u.realName ?? u.name, display_name: u.name },
    },
  };
};

const usergroupsUsersList: ApiHandler = ({ state, params }) => {
  const g = state.usergroups.get(String(params.usergroup ?? ''));
  if (!g) return fail('no_such_subteam');
  return { ok: true, users: [...g.users] };
};

/** Read-only methods: identity, conversations, users, user groups. */
export const readMethods: Record<string, ApiHandler> = {
  'auth.test': authTest,
  'conversations.info': conversationsInfo,
  'conversations.replies': conversationsReplies,
  'users.info': usersInfo,
  'usergroups.users.list': usergroupsUsersList,
};

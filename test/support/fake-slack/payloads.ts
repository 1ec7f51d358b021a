import { randomBytes } from 'node:crypto';
import { type FakeSlackState, toSlackJson } from './state.js';

/** Fields of a slash command; anything missing is filled in from the fake workspace. */
export interface SlashCommandFields {
  command: string;
  text?: string;
  user_id: string;
  user_name?: string;
  channel_id: string;
  channel_name?: string;
  [extra: string]: string | undefined;
}

/** A block_actions click on a message the fake holds (or an ephemeral's `message_ts`). */
export interface BlockActionFields {
  user: string;
  channel: string;
  messageTs: string;
  actionId: string;
  value?: string;
  blockId?: string;
  /** @defaultValue 'button' */
  type?: string;
}

/** A Slack-looking random id: prefix plus upper-case alphanumerics, e.g. `Ev08F3K2J9QW`. */
export const slackId = (prefix: string, length = 10) =>
  prefix + [...randomBytes(length)].map((b) => 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789'[b % 36]).join('');

const triggerId = () => `${Date.now()}.${randomBytes(4).readUInt32BE()}.${randomBytes(16).toString('hex')}`;

/** The form fields Slack posts for a slash command (all strings, as in the form body). */
export function slashCommandPayload(
  state: FakeSlackState,
  fields: SlashCommandFields,
  responseUrl: string,
  verificationToken: string,
): Record<string, string> {
  const { teamId, teamDomain, appId } = state.identity;
  const payload: Record<string, string | undefined> = {
    token: verificationToken,
    team_id: teamId,
    team_domain: teamDomain,
    channel_name: state.channels.get(fields.channel_id)?.name ?? 'unknown',
    user_name: state.users.get(fields.user_id)?.name ?? fields.user_id,
    text: '',
    api_app_id: appId,
    is_enterprise_install: 'false',
    response_url: responseUrl,
    trigger_id: triggerId(),
    ...fields,
  };
  return Object.fromEntries(Object.entries(payload).filter(([, v]) => v !== undefined)) as Record<
    string,
    string
  >;
}

/** The outer `event_callback` body of the Events API around one event. */
export function eventCallback(
  state: FakeSlackState,
  event: Record<string, unknown>,
  eventId: string,
  verificationToken: string,
): Record<string, unknown> {
  const { teamId, appId, botUserId } = state.identity;
  return {
    token: verificationToken,
    team_id: teamId,
    context_team_id: teamId,
    context_enterprise_id: null,
    api_app_id: appId,
    event,
    type: 'event_callback',
    event_id: eventId,
    event_time: Math.floor(state.clock() / 1000),
    authorizations: [
      {
        enterprise_id: null,
        team_id: teamId,
        user_id: botUserId,
        is_bot: true,
        is_enterprise_install: false,
      },
    ],
    is_ext_shared_channel: false,
    event_context: `4-${randomBytes(24).toString('base64url')}`,
  };
}

/** A `block_actions` payload for a click on a button of a stored message. */
export function blockActionsPayload(
  state: FakeSlackState,
  f: BlockActionFields,
  responseUrl: string,
  verificationToken: string,
): Record<string, unknown> {
  const { teamId, teamDomain, appId } = state.identity;
  const msg = state.findMessage(f.channel, f.messageTs);
  const ephemeral = msg ? undefined : state.ephemerals.find((e) => e.message_ts === f.messageTs);
  const userName = state.users.get(f.user)?.name ?? f.user;
  return {
    type: 'block_actions',
    user: { id: f.user, username: userName, name: userName, team_id: teamId },
    api_app_id: appId,
    token: verificationToken,
    container: {
      type: 'message',
      message_ts: f.messageTs,
      channel_id: f.channel,
      is_ephemeral: Boolean(ephemeral),
    },
    trigger_id: triggerId(),
    team: { id: teamId, domain: teamDomain },
    enterprise: null,
    is_enterprise_install: false,
    channel: { id: f.channel, name: state.channels.get(f.channel)?.name ?? 'unknown' },
    ...(msg ? { message: toSlackJson(msg) } : {}),
    state: { values: {} },
    response_url: responseUrl,
    actions: [
      {
        action_id: f.actionId,
        block_id: f.blockId ?? randomBytes(3).toString('hex'),
        ...(f.value !== undefined ? { value: f.value } : {}),
        type: f.type ?? 'button',
        action_ts: `${(state.clock() / 1000).toFixed(6)}`,
      },
    ],
  };
}

/** The `reaction_added` / `reaction_removed` event for a reaction on a message. */
export function reactionEvent(
  type: 'reaction_added' | 'reaction_removed',
  user: string,
  channel: string,
  ts: string,
  reaction: string,
  itemUser: string,
  eventTs: string,
): Record<string, unknown> {
  return {
    type,
    user,
    reaction,
    item: { type: 'message', channel, ts },
    item_user: itemUser,
    event_ts: eventTs,
  };
}

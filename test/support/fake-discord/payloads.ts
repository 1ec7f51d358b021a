import {
  type APIChannel,
  type APIGuildMember,
  type APIInteractionGuildMember,
  type APIMessage,
  type APIReaction,
  type APIRole,
  type APIThreadChannel,
  type APIUser,
  type ChannelFlags,
  ChannelType,
  type GuildMemberFlags,
  PermissionFlagsBits,
  type RoleFlags,
  type ThreadChannelType,
  type UserFlags,
} from 'discord-api-types/v10';
import type { FakeChannel, FakeDiscordState, FakeMessage, FakeRole, FakeUser } from './state.js';

/** Shapes Discord sends, built from the fake's state, typed with discord-api-types so discord.js parses them. */

export function apiUser(u: FakeUser): APIUser {
  return {
    id: u.id,
    username: u.username,
    discriminator: '0',
    global_name: u.globalName,
    avatar: null,
    ...(u.bot ? { bot: true } : {}),
    public_flags: 0 as UserFlags,
  };
}

export function apiRole(r: FakeRole): APIRole {
  return {
    id: r.id,
    name: r.name,
    color: 0,
    colors: { primary_color: 0, secondary_color: null, tertiary_color: null },
    hoist: false,
    icon: null,
    unicode_emoji: null,
    position: r.position,
    permissions: r.permissions,
    managed: false,
    mentionable: false,
    flags: 0 as RoleFlags,
  };
}

/** The member object of REST answers and gateway events; throws if the user is no member. */
export function apiMember(state: FakeDiscordState, userId: string): APIGuildMember {
  const member = state.members.get(userId);
  const user = state.users.get(userId);
  if (!member || !user) throw new Error(`fake-discord: ${userId} is not a member`);
  return {
    user: apiUser(user),
    nick: member.nick,
    avatar: null,
    banner: null,
    roles: [...member.roles],
    joined_at: member.joinedAt,
    premium_since: null,
    deaf: false,
    mute: false,
    flags: 0 as GuildMemberFlags,
    pending: false,
    communication_disabled_until: null,
  };
}

/** Guild-level permissions of a member: @everyone plus their roles; Administrator means all. */
export function memberPermissions(state: FakeDiscordState, guildId: string, userId: string): bigint {
  const ids = [guildId, ...(state.members.get(userId)?.roles ?? [])];
  const bits = ids.reduce((acc, id) => acc | BigInt(state.roles.get(id)?.permissions ?? '0'), 0n);
  return bits & PermissionFlagsBits.Administrator ? (1n << 53n) - 1n : bits;
}

/** The member object inside interactions, which also carries the computed permissions. */
export function apiInteractionMember(
  state: FakeDiscordState,
  guildId: string,
  userId: string,
): APIInteractionGuildMember {
  return { ...apiMember(state, userId), permissions: memberPermissions(state, guildId, userId).toString() };
}

export const isThread = (c: FakeChannel) =>
  c.type === ChannelType.PublicThread ||
  c.type === ChannelType.PrivateThread ||
  c.type === ChannelType.AnnouncementThread;

export function apiChannel(state: FakeDiscordState, c: FakeChannel): APIChannel {
  const lastMessageId = state.messages(c.id).at(-1)?.id ?? null;
  if (isThread(c)) {
    const thread: APIThreadChannel = {
      id: c.id,
      type: c.type as ThreadChannelType,
      guild_id: c.guildId,
      parent_id: c.parentId!,
      name: c.name,
      ...(c.ownerId ? { owner_id: c.ownerId } : {}),
      last_message_id: lastMessageId,
      rate_limit_per_user: 0,
      message_count: state.messages(c.id).length,
      member_count: 1,
      total_message_sent: c.messagesSent,
      flags: 0 as ChannelFlags,
      applied_tags: [],
      thread_metadata: {
        archived: c.archived,
        auto_archive_duration: c.autoArchiveDuration,
        archive_timestamp: c.archiveTimestamp,
        locked: c.locked,
        create_timestamp: c.createdAt,
      },
    };
    return thread;
  }
  const base = {
    id: c.id,
    guild_id: c.guildId,
    name: c.name,
    position: c.position,
    permission_overwrites: [],
    parent_id: c.parentId,
    nsfw: false,
    flags: 0 as ChannelFlags,
  };
  if (c.type === ChannelType.GuildCategory)
    return { ...base, parent_id: null, type: ChannelType.GuildCategory };
  return {
    ...base,
    type: c.type as ChannelType.GuildText,
    topic: null,
    last_message_id: lastMessageId,
    rate_limit_per_user: 0,
    default_auto_archive_duration: c.autoArchiveDuration,
  };
}

export function apiReactions(m: FakeMessage, botId: string): APIReaction[] {
  return [...m.reactions.entries()]
    .filter(([, users]) => users.length > 0)
    .map(([key, users]) => ({
      emoji: parseEmojiKey(key),
      count: users.length,
      count_details: { burst: 0, normal: users.length },
      me: users.includes(botId),
      me_burst: false,
      burst_colors: [],
    }));
}

export function apiMessage(state: FakeDiscordState, m: FakeMessage, botId: string): APIMessage {
  const author = state.users.get(m.authorId);
  if (!author) throw new Error(`fake-discord: message ${m.id} has unknown author`);
  const reactions = apiReactions(m, botId);
  const thread = m.threadId ? state.channels.get(m.threadId) : undefined;
  const interaction = m.interactionId ? state.interactions.get(m.interactionId) : undefined;
  return {
    id: m.id,
    channel_id: m.channelId,
    author: apiUser(author),
    content: m.content,
    timestamp: m.createdAt,
    edited_timestamp: m.editedAt,
    tts: false,
    mention_everyone: false,
    mentions: [],
    mention_roles: [],
    attachments: m.attachments,
    embeds: m.embeds,
    pinned: false,
    type: m.type,
    flags: m.flags,
    components: m.components,
    ...(reactions.length > 0 ? { reactions } : {}),
    ...(m.webhookId ? { webhook_id: m.webhookId, application_id: m.webhookId } : {}),
    ...(thread ? { thread: apiChannel(state, thread) } : {}),
    ...(m.referencedMessageId
      ? { message_reference: { type: 0, message_id: m.referencedMessageId, channel_id: m.channelId } }
      : {}),
    ...(interaction
      ? {
          interaction_metadata: {
            id: interaction.id,
            type: interaction.type,
            user: apiUser(state.users.get(interaction.userId)!),
            authorizing_integration_owners: {},
          },
        }
      : {}),
  } as APIMessage;
}

/** Reaction keys: a unicode emoji as is, a custom one as `name:id` (the form Discord's URLs use). */
export function parseEmojiKey(key: string): { id: string | null; name: string } {
  const custom = /^(?:a:)?([\w-]+):(\d{17,20})$/.exec(key);
  return custom ? { id: custom[2]!, name: custom[1]! } : { id: null, name: key };
}

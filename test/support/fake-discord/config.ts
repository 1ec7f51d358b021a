import { randomBytes } from 'node:crypto';
import { ChannelType, PermissionFlagsBits, ThreadAutoArchiveDuration } from 'discord-api-types/v10';
import type { FakeDiscordState } from './state.js';

/** A per-bucket limit: at most `limit` requests per window that starts with the first request. */
export interface RateLimitRule {
  limit: number;
  windowMs: number;
}

/** Limits the fake enforces. Defaults follow what bots observe on Discord. */
export interface RateLimitConfig {
  /** All bot-token requests. @defaultValue 50 per 1000 ms */
  global: RateLimitRule;
  /** `POST /channels/:id/messages`, per channel; a thread is its own channel. @defaultValue 5 per 5000 ms */
  channelMessages: RateLimitRule;
  /** `PATCH /channels/:id/messages/:id`, per channel. @defaultValue 5 per 5000 ms */
  messageEdits: RateLimitRule;
  /** Reaction add/remove, per channel. @defaultValue 1 per 250 ms */
  reactions: RateLimitRule;
  /** Interaction webhooks (`/webhooks/:app/:token…`), per token; exempt from the global limit. @defaultValue 5 per 2000 ms */
  webhooks: RateLimitRule;
  /** Every other route, per route and major id. @defaultValue 50 per 1000 ms */
  routes: RateLimitRule;
}

/** A role to create; `permissions` as a bitfield. */
export interface FakeRoleOptions {
  id?: string;
  name: string;
  permissions?: bigint;
}

/** A user who is a guild member; `roles` are role names or ids. */
export interface FakeMemberOptions {
  id?: string;
  username: string;
  roles?: string[];
  nick?: string;
  bot?: boolean;
}

/** A channel to create; `parent` is a category name or id. */
export interface FakeChannelOptions {
  id?: string;
  name: string;
  type?: ChannelType.GuildText | ChannelType.GuildAnnouncement | ChannelType.GuildCategory;
  parent?: string;
}

/** A thread that already exists at start-up; `parent` is a channel name or id. */
export interface FakeThreadOptions {
  id?: string;
  name: string;
  parent: string;
  archived?: boolean;
  locked?: boolean;
  type?: ChannelType.PublicThread | ChannelType.PrivateThread;
}

/** Options of {@link startFakeDiscord}. Every field is optional. */
export interface FakeDiscordOptions {
  /** Bot token the fake accepts. @defaultValue a random token in Discord's format */
  token?: string;
  /** Application id, which is also the bot user's id. @defaultValue a fresh snowflake */
  applicationId?: string;
  botUsername?: string;
  guild?: { id?: string; name?: string };
  /** @defaultValue one role named `approver` */
  roles?: FakeRoleOptions[];
  /** @defaultValue `alice` (approver) and `bob` (no role) */
  members?: FakeMemberOptions[];
  /** @defaultValue one text channel named `deploys` */
  channels?: FakeChannelOptions[];
  threads?: FakeThreadOptions[];
  /** HELLO's heartbeat interval. @defaultValue 41250 (what Discord sends) */
  heartbeatIntervalMs?: number;
  /** Privileged intents enabled in the "developer portal"; others close the gateway with 4014. @defaultValue 0 */
  privilegedIntents?: number;
  /** Time the bot has for its first answer. @defaultValue 3000 */
  interactionDeadlineMs?: number;
  /** Lifetime of an interaction token for edits and followups. @defaultValue 15 minutes */
  interactionTokenTtlMs?: number;
  rateLimits?: Partial<RateLimitConfig>;
  /** Whether the bot holds MANAGE_THREADS (needed to post in an archived, locked thread). @defaultValue false */
  botCanManageThreads?: boolean;
}

/** Options after defaults, as the fake uses them. */
export interface ResolvedConfig {
  token: string;
  applicationId: string;
  guildId: string;
  guildName: string;
  heartbeatIntervalMs: number;
  privilegedIntents: number;
  interactionDeadlineMs: number;
  interactionTokenTtlMs: number;
  rateLimits: RateLimitConfig;
  botCanManageThreads: boolean;
}

/** Discord's limits as bots observe them (see {@link RateLimitConfig}). */
export const DEFAULT_LIMITS: RateLimitConfig = {
  global: { limit: 50, windowMs: 1000 },
  channelMessages: { limit: 5, windowMs: 5000 },
  messageEdits: { limit: 5, windowMs: 5000 },
  reactions: { limit: 1, windowMs: 250 },
  webhooks: { limit: 5, windowMs: 2000 },
  routes: { limit: 50, windowMs: 1000 },
};

const EVERYONE_PERMISSIONS =
  PermissionFlagsBits.ViewChannel |
  PermissionFlagsBits.SendMessages |
  PermissionFlagsBits.SendMessagesInThreads |
  PermissionFlagsBits.ReadMessageHistory |
  PermissionFlagsBits.AddReactions |
  PermissionFlagsBits.UseApplicationCommands;

const BOT_PERMISSIONS =
  EVERYONE_PERMISSIONS |
  PermissionFlagsBits.EmbedLinks |
  PermissionFlagsBits.CreatePublicThreads |
  PermissionFlagsBits.ManageMessages;

/** Fills defaults and creates the guild's roles, users, members, channels and threads in `state`. */
export function seedState(
  options: FakeDiscordOptions,
  state: FakeDiscordState,
  next: () => string,
): ResolvedConfig {
  const applicationId = options.applicationId ?? next();
  const guildId = options.guild?.id ?? next();
  const now = new Date().toISOString();
  const addRole = (id: string, name: string, permissions: bigint) =>
    state.roles.set(id, { id, name, permissions: permissions.toString(), position: state.roles.size });
  // Discord gives @everyone the guild's own id.
  addRole(guildId, '@everyone', EVERYONE_PERMISSIONS);
  const botRoleId = next();
  addRole(botRoleId, options.botUsername ?? 'Octofleet', BOT_PERMISSIONS);
  for (const r of options.roles ?? [{ name: 'approver' }])
    addRole(r.id ?? next(), r.name, r.permissions ?? 0n);

  const addMember = (id: string, username: string, roles: string[], bot: boolean, nick?: string) => {
    state.users.set(id, { id, username, globalName: bot ? null : username, bot });
    state.members.set(id, {
      userId: id,
      roles: roles.map((r) => resolveRole(state, r)),
      nick: nick ?? null,
      joinedAt: now,
    });
  };
  addMember(applicationId, options.botUsername ?? 'Octofleet', [botRoleId], true);
  const members = options.members ?? [{ username: 'alice', roles: ['approver'] }, { username: 'bob' }];
  for (const m of members) addMember(m.id ?? next(), m.username, m.roles ?? [], m.bot ?? false, m.nick);

  for (const c of options.channels ?? [{ name: 'deploys' }]) {
    const parentId = c.parent ? resolveChannel(state, c.parent) : null;
    addChannel(state, {
      id: c.id ?? next(),
      name: c.name,
      type: c.type ?? ChannelType.GuildText,
      guildId,
      parentId,
    });
  }
  for (const t of options.threads ?? []) {
    const thread = addChannel(state, {
      id: t.id ?? next(),
      name: t.name,
      type: t.type ?? ChannelType.PublicThread,
      guildId,
      parentId: resolveChannel(state, t.parent),
    });
    thread.archived = t.archived ?? false;
    thread.locked = t.locked ?? false;
    thread.ownerId = applicationId;
  }

  return {
    token: options.token ?? makeToken(applicationId),
    applicationId,
    guildId,
    guildName: options.guild?.name ?? 'Octofleet Lab',
    heartbeatIntervalMs: options.heartbeatIntervalMs ?? 41_250,
    privilegedIntents: options.privilegedIntents ?? 0,
    interactionDeadlineMs: options.interactionDeadlineMs ?? 3000,
    interactionTokenTtlMs: options.interactionTokenTtlMs ?? 15 * 60_000,
    rateLimits: { ...DEFAULT_LIMITS, ...options.rateLimits },
    botCanManageThreads: options.botCanManageThreads ?? false,
  };
}

/** Creates a channel or thread record with Discord's defaults. */
export function addChannel(
  state: FakeDiscordState,
  c: {
    id: string;
    name: string;
    type: ChannelType;
    guildId: string;
    parentId: string | null;
    ownerId?: string;
  },
) {
  const now = new Date().toISOString();
  const channel = {
    ...c,
    ownerId: c.ownerId ?? null,
    position: state.channels.size,
    archived: false,
    locked: false,
    autoArchiveDuration: ThreadAutoArchiveDuration.OneDay,
    archiveTimestamp: now,
    createdAt: now,
    messagesSent: 0,
  };
  state.channels.set(c.id, channel);
  return channel;
}

function resolveRole(state: FakeDiscordState, nameOrId: string): string {
  if (state.roles.has(nameOrId)) return nameOrId;
  const role = [...state.roles.values()].find((r) => r.name === nameOrId);
  if (!role) throw new Error(`fake-discord: unknown role "${nameOrId}" in members option`);
  return role.id;
}

function resolveChannel(state: FakeDiscordState, nameOrId: string): string {
  if (state.channels.has(nameOrId)) return nameOrId;
  const channel = [...state.channels.values()].find((c) => c.name === nameOrId);
  if (!channel) throw new Error(`fake-discord: unknown channel "${nameOrId}" as parent`);
  return channel.id;
}

/** Same three-part shape as a real bot token: base64 user id, timestamp part, HMAC part. */
function makeToken(botId: string): string {
  const part = (n: number) => randomBytes(n).toString('base64url').slice(0, n);
  return `${Buffer.from(botId).toString('base64url')}.${part(6)}.${part(38)}`;
}

import { type APIGuildMember, type APIUser, type Client, Routes } from 'discord.js';
import { createLookupCache, NAME_TTL_MS } from '../../chat/lookup-cache.js';
import type { Config } from '../../core/config/index.js';
import type { CallBudget } from './call-budget.js';

/** Guild members as the adapter needs them: a display name and the approver check. */
export interface Members {
  /** Notes which guild a user acted in, so the approver check knows where to look without a guild id. */
  remember(userId: string, guildId: string | null): void;
  /** Whether the user holds one of `DISCORD_APPROVER_ROLE_IDS` now (fetched at every decision). */
  isApprover(userId: string): Promise<boolean>;
  /** The name people see in the guild (nickname, display name or username), for cards and audits. */
  displayName(userId: string, fallback?: Pick<APIUser, 'username' | 'global_name'>): Promise<string>;
}

const REMEMBERED = 5000;

export function createMembers(client: Client, config: Config, budget: CallBudget): Members {
  const approverRoles = new Set(config.DISCORD_APPROVER_ROLE_IDS);
  const guildOf = new Map<string, string>();

  const guildFor = (userId: string): string => {
    const guild =
      config.DISCORD_GUILD_ID ??
      guildOf.get(userId) ??
      (config.DISCORD_CHANNEL_ID
        ? (client.channels.cache.get(config.DISCORD_CHANNEL_ID) as { guildId?: string } | undefined)?.guildId
        : undefined) ??
      (client.guilds.cache.size === 1 ? client.guilds.cache.first()!.id : undefined);
    if (!guild) throw new Error('no guild to check roles in; set DISCORD_GUILD_ID');
    return guild;
  };

  // Straight from the API, not the cache: a role removed a minute ago must already count.
  const fetchMember = async (userId: string) => {
    const route = Routes.guildMember(guildFor(userId), userId);
    await budget.take();
    return (await client.rest.get(route)) as APIGuildMember;
  };

  // Kept as every adapter keeps them (chat/lookup-cache.ts). Roles: no event tells a bot without the
  // privileged members intent that a role was taken away, so every decision asks (ttl 0; a burst shares one call).
  const roles = createLookupCache(async (userId) => (await fetchMember(userId)).roles, { ttlMs: 0 });
  const names = createLookupCache(
    async (userId) => {
      const member = await fetchMember(userId);
      const name = member.nick ?? member.user?.global_name ?? member.user?.username;
      if (!name) throw new Error('no name');
      return name;
    },
    { ttlMs: NAME_TTL_MS },
  );

  return {
    remember(userId, guildId) {
      if (!guildId) return;
      guildOf.delete(userId);
      guildOf.set(userId, guildId);
      if (guildOf.size > REMEMBERED) guildOf.delete(guildOf.keys().next().value!);
    },
    async isApprover(userId) {
      if (approverRoles.size === 0) return false;
      return (await roles.get(userId)).some((role) => approverRoles.has(role));
    },
    async displayName(userId, fallback) {
      return names.get(userId).catch(() => fallback?.global_name ?? fallback?.username ?? userId);
    },
  };
}

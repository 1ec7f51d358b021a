import type { webApi } from '@slack/bolt';
import { createLookupCache, NAME_TTL_MS } from '../../chat/lookup-cache.js';

/**
 * Display names of user ids, for events that carry only the id (`reaction_added`), kept as every
 * adapter keeps names (chat/lookup-cache.ts). Names are for display and audit text only, never for
 * decisions, so a cached or missing name is harmless: on any error the id itself is the name.
 */
export function createUserNames(client: webApi.WebClient) {
  const names = createLookupCache(
    async (id) => {
      const res = await client.users.info({ user: id });
      const name = res.user?.name || res.user?.profile?.display_name || res.user?.real_name;
      if (!name) throw new Error('no name');
      return name;
    },
    { ttlMs: NAME_TTL_MS },
  );
  return {
    /** Remembers a name Slack already told us (a slash command's `user_name`). */
    remember(id: string, name: string) {
      if (name) names.remember(id, name);
    },
    nameOf(id: string): Promise<string> {
      return names.get(id).catch(() => id);
    },
  };
}

export type UserNames = ReturnType<typeof createUserNames>;

import type { webApi } from '@slack/bolt';

const TTL_MS = 60 * 60_000;
const MAX_ENTRIES = 2000;

/**
 * Display names of user ids, for events that carry only the id (`reaction_added`). Names are for display
 * and audit text only, never for decisions, so a cached or missing name is harmless: on any error the id
 * itself is the name.
 */
export function createUserNames(client: webApi.WebClient) {
  const cache = new Map<string, { name: string; at: number }>();
  // A burst of reactions by one person asks Slack once.
  const inflight = new Map<string, Promise<string>>();
  const lookup = async (id: string): Promise<string> => {
    try {
      const res = await client.users.info({ user: id });
      return res.user?.name || res.user?.profile?.display_name || res.user?.real_name || id;
    } catch {
      return id;
    } finally {
      inflight.delete(id);
    }
  };
  return {
    /** Remembers a name Slack already told us (a slash command's `user_name`). */
    remember(id: string, name: string) {
      if (cache.size >= MAX_ENTRIES) cache.delete(cache.keys().next().value!);
      cache.set(id, { name, at: Date.now() });
    },
    async nameOf(id: string): Promise<string> {
      const hit = cache.get(id);
      if (hit && Date.now() - hit.at < TTL_MS) return hit.name;
      let pending = inflight.get(id);
      if (!pending) {
        pending = lookup(id);
        inflight.set(id, pending);
      }
      const name = await pending;
      if (name !== id) this.remember(id, name);
      return name;
    },
  };
}

export type UserNames = ReturnType<typeof createUserNames>;

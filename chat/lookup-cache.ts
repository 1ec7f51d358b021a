/**
 * How every chat adapter remembers what it looks up on its platform, so both behave alike:
 * - display names: {@link NAME_TTL_MS}; names are for display and audit text only, never for decisions,
 *   so a stale name is harmless;
 * - approver status: only as long as the platform announces changes ({@link APPROVER_TTL_MS} where an
 *   event invalidates it early, as Slack's `subteam_members_changed`); where no such event reaches the
 *   bot (Discord without the privileged members intent) every decision asks (ttl 0), so a role taken
 *   away a moment ago no longer approves.
 * Concurrent lookups of one key always share one call: a burst of reactions asks the platform once.
 */
export const NAME_TTL_MS = 60 * 60_000;
/** See above; `SLACK_*` tests may lower it. */
export const APPROVER_TTL_MS = 10_000;

export interface LookupCache<V> {
  /** The cached value, or the result of one (shared) lookup. Lookup errors propagate and are not cached. */
  get(key: string): Promise<V>;
  /** Stores a value the platform already told us (a slash command's user name). */
  remember(key: string, value: V): void;
  /** Forgets one key, or everything. */
  forget(key?: string): void;
}

/** A bounded cache with a time to live (0: nothing is kept, only concurrent lookups are shared). */
export function createLookupCache<V>(
  lookup: (key: string) => Promise<V>,
  opts: { ttlMs: number; max?: number },
): LookupCache<V> {
  const max = opts.max ?? 2000;
  const cache = new Map<string, { value: V; at: number }>();
  const inflight = new Map<string, Promise<V>>();
  const remember = (key: string, value: V) => {
    if (opts.ttlMs <= 0) return;
    cache.delete(key);
    if (cache.size >= max) cache.delete(cache.keys().next().value!);
    cache.set(key, { value, at: Date.now() });
  };
  return {
    async get(key) {
      const hit = cache.get(key);
      if (hit && Date.now() - hit.at < opts.ttlMs) return hit.value;
      let pending = inflight.get(key);
      if (!pending) {
        pending = lookup(key)
          .then((value) => {
            remember(key, value);
            return value;
          })
          .finally(() => inflight.delete(key));
        inflight.set(key, pending);
      }
      return pending;
    },
    remember,
    forget(key) {
      if (key === undefined) cache.clear();
      else cache.delete(key);
    },
  };
}

/**
 * Wrong sign-in tokens per client address: after `limit` failures within `windowMs`, that address is
 * refused until the oldest failure leaves the window. In memory per process (a guesser spread over N
 * replicas gets N times the attempts, still nowhere near a 16+ character token), bounded in size.
 */
export interface LoginThrottle {
  /** Milliseconds until `address` may try again; 0 when it may try now. */
  retryAfterMs(address: string): number;
  fail(address: string): void;
  /** A correct token clears the address's failures. */
  succeed(address: string): void;
}

export interface LoginThrottleOptions {
  /** @defaultValue 5 */
  limit?: number;
  /** @defaultValue 15 minutes */
  windowMs?: number;
  /** Most addresses remembered; the least recently failed are forgotten first. @defaultValue 10000 */
  maxAddresses?: number;
  now?: () => number;
}

export function createLoginThrottle(opts: LoginThrottleOptions = {}): LoginThrottle {
  const limit = opts.limit ?? 5;
  const windowMs = opts.windowMs ?? 15 * 60_000;
  const maxAddresses = opts.maxAddresses ?? 10_000;
  const now = opts.now ?? Date.now;
  const failures = new Map<string, number[]>();

  const recent = (address: string): number[] => {
    const since = now() - windowMs;
    const kept = (failures.get(address) ?? []).filter((t) => t > since);
    if (kept.length) failures.set(address, kept);
    else failures.delete(address);
    return kept;
  };

  return {
    retryAfterMs(address) {
      const kept = recent(address);
      if (kept.length < limit) return 0;
      return kept[kept.length - limit]! + windowMs - now();
    },
    fail(address) {
      const kept = recent(address);
      kept.push(now());
      // Re-inserting moves the address to the end: the Map's first key is the least recent.
      failures.delete(address);
      failures.set(address, kept.slice(-limit));
      while (failures.size > maxAddresses) failures.delete(failures.keys().next().value!);
    },
    succeed(address) {
      failures.delete(address);
    },
  };
}

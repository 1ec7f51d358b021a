/**
 * Slack's Web API rate limits, modelled as token buckets: a bucket holds `burst` requests and refills at
 * `perMinute / 60` per second. An empty bucket means HTTP 429 with `Retry-After` = whole seconds until the
 * next token (at least 1), as https://docs.slack.dev/apis/web-api/rate-limits describes. Limits apply
 * "per method per workspace per app"; `chat.postMessage` is special: about one message per second per
 * channel (threads share their channel) with short bursts allowed.
 */

/** A bucket size and refill rate. */
export interface RateRule {
  perMinute: number;
  burst: number;
}

/** Tier numbers from the rate-limit page: Tier 1 1+/min, Tier 2 20+/min, Tier 3 50+/min, Tier 4 100+/min. */
export const TIERS: Record<1 | 2 | 3 | 4, RateRule> = {
  // "A small amount of burst behavior is tolerated": 3 lets a socket reconnect a few times in a row.
  1: { perMinute: 1, burst: 3 },
  2: { perMinute: 20, burst: 20 },
  3: { perMinute: 50, burst: 50 },
  4: { perMinute: 100, burst: 100 },
};

/** Each method's tier as listed on its docs.slack.dev reference page. */
export const METHOD_TIERS: Record<string, RateRule> = {
  'auth.test': TIERS[4], // "Special", allows hundreds per minute
  'chat.update': TIERS[3],
  'chat.delete': TIERS[3],
  'chat.postEphemeral': TIERS[4],
  'reactions.add': TIERS[3],
  'reactions.remove': TIERS[2],
  'reactions.get': TIERS[3],
  'conversations.info': TIERS[3],
  'conversations.replies': TIERS[3],
  'usergroups.users.list': TIERS[2],
  'users.info': TIERS[4],
  'apps.connections.open': TIERS[1],
};

/** Rate limits of the fake. */
export interface RateLimitOptions {
  /**
   * `chat.postMessage` per channel: a burst, then 1 message per second.
   * @defaultValue `{ perMinute: 60, burst: 3 }`
   */
  postMessagePerChannel?: RateRule;
  /**
   * `chat.postMessage` across the workspace ("several hundred messages per minute").
   * @defaultValue `{ perMinute: 300, burst: 300 }`
   */
  postMessageWorkspace?: RateRule;
  /** Overrides of {@link METHOD_TIERS}, per method. */
  methods?: Record<string, RateRule>;
}

interface Bucket {
  tokens: number;
  at: number;
}

/** Decides whether a request may pass; the clock is injectable so a test can drive time. */
export class RateLimiter {
  private readonly buckets = new Map<string, Bucket>();
  private readonly perChannel: RateRule;
  private readonly workspace: RateRule;
  private readonly methods: Record<string, RateRule>;

  constructor(
    opts: RateLimitOptions,
    private readonly clock: () => number,
  ) {
    this.perChannel = opts.postMessagePerChannel ?? { perMinute: 60, burst: 3 };
    this.workspace = opts.postMessageWorkspace ?? { perMinute: 300, burst: 300 };
    this.methods = { ...METHOD_TIERS, ...opts.methods };
  }

  /**
   * Takes a token from every bucket the request counts against. Answers `undefined` when allowed, or the
   * empty bucket and the `Retry-After` seconds. A refused request consumes nothing.
   */
  take(method: string, channel: string | undefined): { bucket: string; retryAfter: number } | undefined {
    const rules: Array<[string, RateRule]> = [];
    if (method === 'chat.postMessage') {
      if (channel) rules.push([`chat.postMessage:${channel}`, this.perChannel]);
      rules.push(['chat.postMessage', this.workspace]);
    } else {
      const rule = this.methods[method];
      if (rule) rules.push([method, rule]);
    }
    const now = this.clock();
    for (const [key, rule] of rules) {
      const b = this.refill(key, rule, now);
      if (b.tokens < 1) {
        const perMs = rule.perMinute / 60_000;
        return { bucket: key, retryAfter: Math.max(1, Math.ceil((1 - b.tokens) / perMs / 1000)) };
      }
    }
    for (const [key] of rules) {
      const b = this.buckets.get(key);
      if (b) b.tokens -= 1;
    }
    return undefined;
  }

  /** Forgets all usage (full buckets). */
  reset(): void {
    this.buckets.clear();
  }

  private refill(key: string, rule: RateRule, now: number): Bucket {
    let b = this.buckets.get(key);
    if (!b) {
      b = { tokens: rule.burst, at: now };
      this.buckets.set(key, b);
    }
    b.tokens = Math.min(rule.burst, b.tokens + ((now - b.at) * rule.perMinute) / 60_000);
    b.at = now;
    return b;
  }
}

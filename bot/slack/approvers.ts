import type { webApi } from '@slack/bolt';
import { APPROVER_TTL_MS, createLookupCache } from '../../chat/lookup-cache.js';
import type { Logger } from '../../core/logger.js';

export interface ApproverOptions {
  /** `SLACK_APPROVER_USER_IDS`: these users approve. */
  userIds: readonly string[];
  /** `SLACK_APPROVER_USERGROUP_ID`: members of this user group (`S…`) approve too. */
  usergroupId?: string;
  /**
   * How long a fetched member list answers decisions. `usergroups.users.list` is Tier 2 (20 per minute),
   * so a burst of approvals must not call it each time; `subteam_members_changed` events clear it early.
   * 0 asks Slack at every decision. @defaultValue APPROVER_TTL_MS (10 000)
   */
  cacheMs?: number;
}

export interface Approvers {
  /** Whether the user may approve. Throws when Slack cannot say (the shared layer then denies). */
  check(userId: string): Promise<boolean>;
  /** Forgets the cached member list (a `subteam_members_changed` event for our group). */
  invalidate(usergroupId?: string): void;
  /** True when neither user ids nor a group are configured: nobody can approve. */
  readonly none: boolean;
}

/**
 * Who approves on Slack: configured user ids and/or the members of one user group, checked at decision
 * time. A configured user id answers without calling Slack; group membership is read from
 * `usergroups.users.list` (scope `usergroups:read`). Errors propagate, so the caller fails closed.
 */
export function createApprovers(client: webApi.WebClient, opts: ApproverOptions, logger: Logger): Approvers {
  const ids = new Set(opts.userIds.filter(Boolean));
  // Kept as every adapter keeps approver status (chat/lookup-cache.ts): briefly, and forgotten at once
  // when Slack announces a change of the group.
  const groups = createLookupCache(
    async (group) => new Set((await client.usergroups.users.list({ usergroup: group })).users ?? []),
    { ttlMs: opts.cacheMs ?? APPROVER_TTL_MS, max: 1 },
  );

  return {
    none: ids.size === 0 && !opts.usergroupId,
    async check(userId) {
      if (ids.has(userId)) return true;
      if (!opts.usergroupId) return false;
      return (await groups.get(opts.usergroupId)).has(userId);
    },
    invalidate(usergroupId) {
      if (usergroupId && usergroupId !== opts.usergroupId) return;
      groups.forget();
      logger.debug(
        { usergroup: opts.usergroupId },
        'approver group changed; re-reading it at the next decision',
      );
    },
  };
}

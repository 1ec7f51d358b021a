import { z } from 'zod';
import type { Core } from '../create-core.js';
import { createMicroBatcher } from '../db/micro-batch.js';
import type { DeploymentChange } from './deployment-service.js';
import { ALL_STATES } from './lifecycle.js';

/**
 * The Postgres channel on which processes that run no worker (a boot server, a bot) announce their
 * committed deployment changes. Workers listen and turn each one into BullMQ wake-ups, so the boot path
 * never waits on Redis. A notification is only a wake-up: one that nobody heard is repaired by the
 * worker's reconciler, which rebuilds every timer and wake-up from the rows.
 */
export const DEPLOYMENT_CHANGES_CHANNEL = 'octofleet_deployment_changed';

const state = z.enum(ALL_STATES);
const announcement = z.object({
  deploymentId: z.number().int().positive(),
  state,
  kind: z.enum(['created', 'state', 'event']),
  from: state.optional(),
});

export function encodeChange(change: DeploymentChange): string {
  const { deploymentId, state, kind, from } = change;
  return JSON.stringify(from ? { deploymentId, state, kind, from } : { deploymentId, state, kind });
}

/** The change a notification carries, or null when it is not one of ours (logged by the caller). */
export function decodeChange(payload: string): DeploymentChange | null {
  try {
    const parsed = announcement.safeParse(JSON.parse(payload));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

export interface ChangeAnnouncer {
  /** Stops announcing (core has no unsubscribe; later changes are ignored). */
  close(): void;
}

/**
 * Announces every committed change of this process on {@link DEPLOYMENT_CHANGES_CHANNEL}. Changes that
 * arrive together go out in one statement, one batch at a time so they are heard in the order they were
 * committed. The caller's change (a callback, a script fetch) is answered after its announcement is sent.
 */
export function announceChanges(core: Pick<Core, 'sql' | 'onChange'>): ChangeAnnouncer {
  const batch = createMicroBatcher<string, void>(
    async (payloads) => {
      await core.sql.query(
        'select pg_notify($1, p) from unnest($2::text[]) with ordinality as t(p, n) order by n',
        [DEPLOYMENT_CHANGES_CHANNEL, payloads],
      );
      return payloads.map(() => undefined);
    },
    { concurrency: 1 },
  );
  let closed = false;
  core.onChange(async (change) => {
    if (!closed) await batch.run(encodeChange(change));
  });
  return {
    close() {
      closed = true;
    },
  };
}

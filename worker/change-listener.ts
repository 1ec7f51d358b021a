import type { Core } from '../core/create-core.js';
import { listenToChannel, type PgListener } from '../core/db/pg-listener.js';
import { DEPLOYMENT_CHANGES_CHANNEL, decodeChange } from '../core/deployments/change-announcements.js';
import { publishChange } from './change-publisher.js';
import type { Scheduler } from './schedule.js';

export interface ChangeListenerOptions {
  /**
   * Runs once the LISTEN is in place, first and after every reconnect: announcements sent before it were
   * not heard, so the worker rebuilds its wake-ups from Postgres.
   */
  onListening(): Promise<unknown>;
}

/**
 * Hears the changes that boot servers and bots announce on Postgres and publishes them into BullMQ, as
 * {@link publishChange} does for the worker's own process. Every worker listens: the jobs' stable ids make
 * a change published by two workers one set of jobs. One deployment's changes are published in the order
 * they were heard; different deployments' run side by side.
 */
export function listenForChanges(core: Core, scheduler: Scheduler, opts: ChangeListenerOptions): PgListener {
  const { logger } = core;
  const chains = new Map<number, Promise<void>>();

  const publishInOrder = (payload: string) => {
    const change = decodeChange(payload);
    if (!change) {
      logger.warn(
        { channel: DEPLOYMENT_CHANGES_CHANNEL },
        'ignored a notification that is not a deployment change',
      );
      return;
    }
    const id = change.deploymentId;
    const next = (chains.get(id) ?? Promise.resolve())
      .then(() => publishChange(core, scheduler, change))
      .catch((error) =>
        logger.error(
          { err: error, deploymentId: id },
          'publishing an announced change failed; the reconciler will catch up',
        ),
      )
      .finally(() => {
        if (chains.get(id) === next) chains.delete(id);
      });
    chains.set(id, next);
  };

  return listenToChannel(core.config.DATABASE_URL, DEPLOYMENT_CHANGES_CHANNEL, {
    onNotification: publishInOrder,
    onListening: () => {
      opts
        .onListening()
        .catch((error) =>
          logger.error({ err: error }, 'catching up on unheard changes failed; retrying next round'),
        );
    },
    onError: (error) =>
      logger.warn(
        { err: error },
        'deployment change announcements interrupted; catching up once reconnected',
      ),
  });
}

import { DelayedError, type Job, UnrecoverableError } from 'bullmq';
import type { MessagePriority, PlatformName } from '../../chat/chat-platform.js';
import { priorityRank } from '../../chat/messages/labels.js';
import { isAppError } from '../../core/errors.js';
import type { NotifyJob } from '../../core/queues.js';
import { notifyBatch } from '../notifier/batch-notifier.js';
import { notifyBoard } from '../notifier/channel-board.js';
import { notifyChannel } from '../notifier/channel-notifier.js';
import { type NotifierDeps, notifyDeployment } from '../notifier/notifier.js';
import type { Scheduler } from '../schedule.js';

/**
 * Extra wait per priority class on top of the turn the limiter answered. The limiter's queue decides who
 * gets a slot; this only keeps same-moment returns in class order, and the jitter keeps them apart.
 */
const CLASS_OFFSET_MS = 10;
const BUSY_RETRY_MS = 150;

export function retryDelay(waitMs: number, priority: MessagePriority, random = Math.random): number {
  return Math.ceil(waitMs + priorityRank(priority) * CLASS_OFFSET_MS + random() * 10);
}

/** Runs the notifier for one deployment and maps its outcome onto BullMQ (delays, not flags). */
export function notifyProcessor(deps: NotifierDeps, scheduler: Pick<Scheduler, 'notifyBatch'>) {
  return async (job: Job<NotifyJob>, token?: string): Promise<string> => {
    const { batchId, channel, deploymentId } = job.data;
    const run = channel
      ? (channel.board ? notifyBoard : notifyChannel)(
          deps,
          channel.platform as PlatformName,
          channel.channelId,
        )
      : batchId
        ? notifyBatch(deps, batchId)
        : notifyDeployment(deps, deploymentId);
    const outcome = await run.catch((error) => {
      if (isAppError(error) && error.status === 404) throw new UnrecoverableError(error.message);
      throw error;
    });
    switch (outcome.kind) {
      case 'done':
        return `posted ${outcome.messages} message(s), ${outcome.cardCalls} card call(s)`;
      case 'unroutable':
        return 'no platform here shows this deployment';
      case 'batch':
        // One run per batch (deduplicated), however many of its members changed.
        await scheduler.notifyBatch(outcome.batchId, { urgent: outcome.urgent });
        return `handed to batch #${outcome.batchId}`;
      case 'busy':
        await job.moveToDelayed(Date.now() + BUSY_RETRY_MS + Math.random() * 100, token);
        throw new DelayedError();
      case 'wait':
        await job.moveToDelayed(Date.now() + retryDelay(outcome.ms, outcome.priority), token);
        throw new DelayedError();
    }
  };
}

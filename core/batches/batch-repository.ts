import type { EntityManager } from '@mikro-orm/postgresql';
import { Decision } from '../deployments/decision.entity.js';
import { Deployment } from '../deployments/deployment.entity.js';
import { ACTIVE_STATES, sqlStateList } from '../deployments/lifecycle.js';
import { NotFoundError } from '../errors.js';
import { Batch } from './batch.entity.js';
import { BatchChatRef } from './batch-chat-ref.entity.js';

/** Read-side queries over batches, their members, decisions and chat references. */
export class BatchRepository {
  constructor(private readonly em: EntityManager) {}

  async get(id: number): Promise<Batch> {
    const found =
      Number.isSafeInteger(id) && id > 0 ? await this.em.findOne(Batch, { id }, { refresh: true }) : null;
    if (!found) throw new NotFoundError(`batch #${id} does not exist`, 'batch:not-found');
    return found;
  }

  /** The batch's deployments in the order they were listed. */
  members(batchId: number): Promise<Deployment[]> {
    return this.em.find(Deployment, { batchId }, { orderBy: { id: 'asc' }, refresh: true });
  }

  decisions(batchId: number): Promise<Decision[]> {
    return this.em.find(Decision, { batchId }, { orderBy: { id: 'asc' } });
  }

  /** The accepted decision that moved the batch out of pending_approval, if any. */
  decidedBy(batchId: number): Promise<Decision | null> {
    return this.em.findOne(
      Decision,
      { batchId, accepted: true, verdict: { $ne: 'cancel' } },
      { orderBy: { id: 'asc' } },
    );
  }

  /** The batch whose card is this message, for reactions and buttons on it. */
  findByCardMessage(platform: BatchChatRef['platform'], cardMessageId: string): Promise<BatchChatRef | null> {
    return this.em.findOne(BatchChatRef, { platform, cardMessageId }, { refresh: true });
  }

  chatRefs(batchId: number): Promise<BatchChatRef[]> {
    return this.em.find(BatchChatRef, { batchId }, { orderBy: { id: 'asc' }, refresh: true });
  }

  /** Records the channel a batch's card belongs in; idempotent like {@link ChatRefRepository.claim}. */
  async claim(batchId: number, platform: BatchChatRef['platform'], channelId: string): Promise<BatchChatRef> {
    await this.em.getConnection().execute(
      `insert into "batch_chat_ref" ("batch_id", "platform", "channel_id", "created_at") values (?, ?, ?, now())
       on conflict ("batch_id", "platform") do nothing`,
      [batchId, platform, channelId],
    );
    return this.em.findOneOrFail(BatchChatRef, { batchId, platform }, { refresh: true });
  }

  async setCardMessage(id: number, cardMessageId: string): Promise<void> {
    await this.em.nativeUpdate(BatchChatRef, { id }, { cardMessageId });
  }

  async setThread(id: number, threadId: string): Promise<void> {
    await this.em.nativeUpdate(BatchChatRef, { id }, { threadId });
  }

  /** Marks the closing summary posted; false when another worker got there first. */
  async markSummaryPosted(id: number): Promise<boolean> {
    return (
      (await this.em.nativeUpdate(
        BatchChatRef,
        { id, summaryPostedAt: null },
        { summaryPostedAt: new Date() },
      )) > 0
    );
  }

  /**
   * Batches whose closing summary is due and not posted: every member finished, one was approved. The
   * summary is a step of its own, persisted by this condition (not by any unposted event), so a worker
   * that died after marking the last lines, or a wake-up Redis lost, cannot drop it.
   */
  async withSummaryDue(): Promise<number[]> {
    const rows = await this.em.getConnection().execute<{ batch_id: number }[]>(
      `select r."batch_id" from "batch_chat_ref" r
       where r."summary_posted_at" is null
         and exists (select 1 from "deployment" d where d."batch_id" = r."batch_id" and d."approved_at" is not null)
         and not exists (select 1 from "deployment" d where d."batch_id" = r."batch_id"
                          and d."status" in (${sqlStateList(ACTIVE_STATES)}))`,
    );
    return [...new Set(rows.map((r) => r.batch_id))];
  }
}

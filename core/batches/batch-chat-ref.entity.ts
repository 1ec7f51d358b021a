import { EntitySchema } from '@mikro-orm/core';
import { batchIdProperty } from './batch.entity.js';

/**
 * Where a batch lives in chat: its one card and one thread (members have no chat_ref of their own).
 * `summaryPostedAt` is the outbox marker of the thread's closing summary, posted once.
 */
export class BatchChatRef {
  id!: number;
  batchId!: number;
  platform!: 'discord' | 'slack' | 'shell';
  channelId!: string;
  cardMessageId!: string | null;
  threadId!: string | null;
  summaryPostedAt!: Date | null;
  createdAt!: Date;
}

export const BatchChatRefSchema = new EntitySchema<BatchChatRef>({
  class: BatchChatRef,
  tableName: 'batch_chat_ref',
  uniques: [{ name: 'batch_chat_ref_batch_platform_unique', properties: ['batchId', 'platform'] }],
  indexes: [{ name: 'batch_chat_ref_card_idx', properties: ['platform', 'cardMessageId'] }],
  properties: {
    id: { type: 'number', primary: true, autoincrement: true },
    batchId: batchIdProperty,
    platform: { type: 'string', length: 16 },
    channelId: { type: 'string', length: 64 },
    cardMessageId: { type: 'string', length: 64, nullable: true },
    threadId: { type: 'string', length: 64, nullable: true },
    summaryPostedAt: { type: 'Date', columnType: 'timestamptz', nullable: true },
    createdAt: { type: 'Date', columnType: 'timestamptz', onCreate: () => new Date() },
  },
});

import { EntitySchema } from '@mikro-orm/core';
import { deploymentIdProperty } from '../deployments/deployment.entity.js';

/** Where a deployment lives in chat: the card message and the thread under it. */
export class ChatRef {
  id!: number;
  deploymentId!: number;
  platform!: 'discord' | 'slack' | 'shell';
  channelId!: string;
  cardMessageId!: string | null;
  threadId!: string | null;
  createdAt!: Date;
}

export const ChatRefSchema = new EntitySchema<ChatRef>({
  class: ChatRef,
  tableName: 'chat_ref',
  uniques: [{ name: 'chat_ref_deployment_platform_unique', properties: ['deploymentId', 'platform'] }],
  indexes: [{ name: 'chat_ref_card_idx', properties: ['platform', 'cardMessageId'] }],
  properties: {
    id: { type: 'number', primary: true, autoincrement: true },
    deploymentId: deploymentIdProperty,
    platform: { type: 'string', length: 16 },
    channelId: { type: 'string', length: 64 },
    cardMessageId: { type: 'string', length: 64, nullable: true },
    threadId: { type: 'string', length: 64, nullable: true },
    createdAt: { type: 'Date', columnType: 'timestamptz', onCreate: () => new Date() },
  },
});

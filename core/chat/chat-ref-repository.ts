import type { EntityManager } from '@mikro-orm/postgresql';
import { ChatRef } from './chat-ref.entity.js';

/**
 * Single deployments (not members of a batch of several) shown in one channel (`?` platform, `?` channel)
 * with their card posted, by their first reference only (the one the notifier posts to). Needs `r` the
 * reference, `d` its deployment and `b` its batch (left join).
 */
const SINGLES_IN_CHANNEL = `r."platform" = ? and r."channel_id" = ? and r."card_message_id" is not null
         and (b."id" is null or b."size" <= 1)
         and r."id" = (select min(f."id") from "chat_ref" f where f."deployment_id" = r."deployment_id")`;

/** Where deployments live in chat: one row per deployment and platform (card message, thread). */
export class ChatRefRepository {
  constructor(private readonly em: EntityManager) {}

  /** The deployment's chat references, oldest first (the first one is where the notifier posts). */
  forDeployment(deploymentId: number): Promise<ChatRef[]> {
    return this.em.find(ChatRef, { deploymentId }, { orderBy: { id: 'asc' }, refresh: true });
  }

  /** The deployment whose card is this message, for reactions and buttons on it. */
  findByCardMessage(platform: ChatRef['platform'], cardMessageId: string): Promise<ChatRef | null> {
    return this.em.findOne(ChatRef, { platform, cardMessageId }, { refresh: true });
  }

  /**
   * Records the channel a deployment's card belongs in. Idempotent: when a row for this deployment and
   * platform exists already (the notifier got there first), that row is returned unchanged.
   */
  async claim(deploymentId: number, platform: ChatRef['platform'], channelId: string): Promise<ChatRef> {
    await this.em.getConnection().execute(
      `insert into "chat_ref" ("deployment_id", "platform", "channel_id", "created_at") values (?, ?, ?, now())
       on conflict ("deployment_id", "platform") do nothing`,
      [deploymentId, platform, channelId],
    );
    return this.em.findOneOrFail(ChatRef, { deploymentId, platform }, { refresh: true });
  }

  async setCardMessage(id: number, cardMessageId: string): Promise<void> {
    await this.em.nativeUpdate(ChatRef, { id }, { cardMessageId });
  }

  async setThread(id: number, threadId: string): Promise<void> {
    await this.em.nativeUpdate(ChatRef, { id }, { threadId });
  }

  /**
   * Single deployments (not members of a batch of several) shown in this channel, with their card posted
   * and events not yet in chat: what a channel digest may carry. Only a deployment's first reference
   * counts, the one the notifier posts to.
   */
  async singlesWithUnpostedEvents(platform: ChatRef['platform'], channelId: string): Promise<number[]> {
    const rows = await this.em.getConnection().execute<{ deployment_id: number }[]>(
      `select distinct r."deployment_id" from "chat_ref" r
         join "deployment_event" e on e."deployment_id" = r."deployment_id" and e."posted_at" is null
         join "deployment" d on d."id" = r."deployment_id"
         left join "batch" b on b."id" = d."batch_id"
       where ${SINGLES_IN_CHANNEL}
       order by 1`,
      [platform, channelId],
    );
    return rows.map((r) => r.deployment_id);
  }

  /**
   * The single deployments a channel board shows: those of this channel under way now, and those that
   * finished since `since`.
   */
  async singlesOnBoard(platform: ChatRef['platform'], channelId: string, since: Date): Promise<number[]> {
    const rows = await this.em.getConnection().execute<{ deployment_id: number }[]>(
      `select r."deployment_id" from "chat_ref" r
         join "deployment" d on d."id" = r."deployment_id"
         left join "batch" b on b."id" = d."batch_id"
       where ${SINGLES_IN_CHANNEL}
         and (d."status" in ('approved', 'booting', 'installing', 'configuring') or d."finished_at" >= ?)
       order by 1`,
      [platform, channelId, since],
    );
    return rows.map((r) => r.deployment_id);
  }
}

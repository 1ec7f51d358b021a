import { ChatRef } from '../../core/chat/chat-ref.entity.js';
import type { Core } from '../../core/create-core.js';
import { Deployment } from '../../core/deployments/deployment.entity.js';

/** A card still waiting for ✅/❌. */
export interface PendingCard {
  deploymentId: number;
  channelId: string;
  cardMessageId: string;
}

/** One image as `/deploy os:` autocomplete offers it. */
export interface CatalogChoice {
  id: string;
  name: string;
  /** Edition ids and labels; empty when the image has none. */
  editions: { id: string; label: string }[];
}

/**
 * What the Discord adapter reads from Postgres beyond the shared command layer: the catalog for
 * autocomplete, and on (re)connect the cards still pending, whose reactions it checks. Read only; every
 * change still goes through the shared layer and core.
 */
export interface DiscordDirectory {
  images(): Promise<CatalogChoice[]>;
  pendingCards(): Promise<PendingCard[]>;
}

/** The directory over a core (the bot role has one). */
export function coreDirectory(core: Core): DiscordDirectory {
  return {
    async images() {
      const images = await core.deployments.images().list();
      return images.map((i) => ({
        id: i.id,
        name: i.name,
        editions: Object.entries(i.editions ?? {}).map(([id, e]) => ({ id, label: e.label ?? id })),
      }));
    },
    async pendingCards() {
      const em = core.orm.em.fork();
      const pending = await em.find(Deployment, { status: 'pending_approval' }, { fields: ['id'] });
      if (!pending.length) return [];
      const refs = await em.find(
        ChatRef,
        {
          deploymentId: { $in: pending.map((d) => d.id) },
          platform: 'discord',
          cardMessageId: { $ne: null },
        },
        { orderBy: { deploymentId: 'asc' } },
      );
      return refs.map((r) => ({
        deploymentId: r.deploymentId,
        channelId: r.channelId,
        cardMessageId: r.cardMessageId!,
      }));
    },
  };
}

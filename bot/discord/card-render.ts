import {
  type APIActionRowComponent,
  type APIComponentInMessageActionRow,
  type APIEmbed,
  ButtonStyle,
  ComponentType,
} from 'discord.js';
import type { CardModel } from '../../chat/messages/card.js';
import { progressBar } from '../../chat/messages/progress-bar.js';
import { clamp, fitText } from '../../chat/messages/text-fit.js';
import { APPROVE_EMOJI, REJECT_EMOJI } from '../../chat/verdicts.js';
import { DISCORD_LIMITS, plain } from './text-limits.js';

/** The reactions that decide a card. */

/** Prefix of the card buttons' custom ids: `octofleet:approve:42`, `octofleet:reject:42`. */
const BUTTON_PREFIX = 'octofleet';

/** The custom id of a card button. */
export function buttonId(verdict: 'approve' | 'reject', deploymentId: number): string {
  return `${BUTTON_PREFIX}:${verdict}:${deploymentId}`;
}

/** Reads a card button's custom id; null for anything else. */
export function parseButtonId(
  customId: string,
): { verdict: 'approve' | 'reject'; deploymentId: number } | null {
  const m = /^octofleet:(approve|reject):(\d{1,9})$/.exec(customId);
  return m ? { verdict: m[1] as 'approve' | 'reject', deploymentId: Number(m[2]) } : null;
}

const COLOURS: Record<CardModel['tone'], number> = {
  pending: 0xf1c40f,
  running: 0x3498db,
  success: 0x2ecc71,
  failure: 0xe74c3c,
  neutral: 0x95a5a6,
};

/** A message body Discord accepts for both create and edit. */
export interface CardMessage {
  content: string;
  embeds: APIEmbed[];
  components: APIActionRowComponent<APIComponentInMessageActionRow>[];
  allowed_mentions: { parse: [] };
}

/**
 * Renders a card: the content carries title and state (what notifications, screen readers and clients
 * without embeds show), the embed the details. Approve/Reject buttons only while a decision is awaited;
 * an edit without them removes them. Every value is escaped and cut to Discord's limits.
 */
export function renderCard(card: CardModel): CardMessage {
  const bar = card.progress !== null ? `\n${progressBar(card.progress)}` : '';
  const embed: APIEmbed = {
    title: clamp(plain(card.title), DISCORD_LIMITS.title),
    description: fitText(`${plain(card.statusLine)}${bar}`, 1000),
    color: COLOURS[card.tone],
    fields: card.fields.slice(0, 10).map((f) => ({
      name: clamp(plain(f.label), DISCORD_LIMITS.fieldName),
      value: clamp(plain(f.value) || '—', 200),
      inline: true,
    })),
    ...(card.footer ? { footer: { text: clamp(card.footer, 1000) } } : {}),
  };
  return {
    content: fitText(`**${plain(card.title)}**\n${plain(card.statusLine)}`, 1500),
    embeds: [embed],
    components: card.awaitingDecision ? [decisionButtons(card.deploymentId)] : [],
    allowed_mentions: { parse: [] },
  };
}

function decisionButtons(deploymentId: number): APIActionRowComponent<APIComponentInMessageActionRow> {
  return {
    type: ComponentType.ActionRow,
    components: [
      {
        type: ComponentType.Button,
        style: ButtonStyle.Success,
        label: 'Approve',
        emoji: { name: APPROVE_EMOJI },
        custom_id: buttonId('approve', deploymentId),
      },
      {
        type: ComponentType.Button,
        style: ButtonStyle.Danger,
        label: 'Reject',
        emoji: { name: REJECT_EMOJI },
        custom_id: buttonId('reject', deploymentId),
      },
    ],
  };
}

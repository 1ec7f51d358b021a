import {
  type APIActionRowComponent,
  type APIComponentInMessageActionRow,
  type APIEmbed,
  ButtonStyle,
  ComponentType,
} from 'discord.js';
import { fitRows } from '../../chat/messages/batch-card.js';
import type { CardModel } from '../../chat/messages/card.js';
import { progressBar } from '../../chat/messages/progress-bar.js';
import { clamp, fitText } from '../../chat/messages/text-fit.js';
import { APPROVE_EMOJI, REJECT_EMOJI } from '../../chat/verdicts.js';
import { DISCORD_LIMITS, plain } from './text-limits.js';

/** The reactions that decide a card. */

/** Prefix of the card buttons' custom ids: `octofleet:approve:42`, `octofleet:reject:42`. */
const BUTTON_PREFIX = 'octofleet';

/** The custom id of a card button: `octofleet:approve:42`, or `octofleet:approve:b7` on a batch's card. */
export function buttonId(verdict: 'approve' | 'reject', deploymentId: number, batchId?: number): string {
  return `${BUTTON_PREFIX}:${verdict}:${batchId ? `b${batchId}` : deploymentId}`;
}

/** Reads a card button's custom id; null for anything else. */
export function parseButtonId(
  customId: string,
): { verdict: 'approve' | 'reject'; deploymentId?: number; batchId?: number } | null {
  const m = /^octofleet:(approve|reject):(b?)(\d{1,9})$/.exec(customId);
  if (!m) return null;
  const verdict = m[1] as 'approve' | 'reject';
  return m[2] ? { verdict, batchId: Number(m[3]) } : { verdict, deploymentId: Number(m[3]) };
}

/** Room for a batch's machine rows in the embed description (4096), leaving the status above them. */
const BATCH_ROWS_MAX = 3400;

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
    description: card.batch
      ? `${fitText(`${plain(card.statusLine)}${bar}`, 500)}\n\n${fitRows(card.batch.rows, { maxChars: BATCH_ROWS_MAX, escape: (r) => plain(r).slice(0, 300) }).join('\n')}`
      : fitText(`${plain(card.statusLine)}${bar}`, 1000),
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
    components: card.awaitingDecision ? [decisionButtons(card.deploymentId, card.batch?.id)] : [],
    allowed_mentions: { parse: [] },
  };
}

function decisionButtons(
  deploymentId: number,
  batchId?: number,
): APIActionRowComponent<APIComponentInMessageActionRow> {
  return {
    type: ComponentType.ActionRow,
    components: [
      {
        type: ComponentType.Button,
        style: ButtonStyle.Success,
        label: 'Approve',
        emoji: { name: APPROVE_EMOJI },
        custom_id: buttonId('approve', deploymentId, batchId),
      },
      {
        type: ComponentType.Button,
        style: ButtonStyle.Danger,
        label: 'Reject',
        emoji: { name: REJECT_EMOJI },
        custom_id: buttonId('reject', deploymentId, batchId),
      },
    ],
  };
}

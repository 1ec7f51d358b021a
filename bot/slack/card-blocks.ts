import type { types } from '@slack/bolt';
import { fitRows } from '../../chat/messages/batch-card.js';
import type { CardModel } from '../../chat/messages/card.js';
import { progressBar } from '../../chat/messages/progress-bar.js';
import { clamp } from '../../chat/messages/text-fit.js';
import { escapeSlack } from './escape.js';

/** `action_id`s of the card's buttons; the button `value` is the deployment id, or `b7` for batch 7. */
export const APPROVE_ACTION = 'octofleet_approve';
export const REJECT_ACTION = 'octofleet_reject';

/** Block Kit limits (https://docs.slack.dev/reference/block-kit/blocks). */
const HEADER_MAX = 150;
const SECTION_MAX = 3000;
const FIELD_MAX = 2000;
const MAX_FIELDS = 10;

/** `mrkdwn` of already escaped text, `verbatim` so Slack links nothing by itself. */
const escapedMrkdwn = (text: string, max = SECTION_MAX): types.MrkdwnElement => ({
  type: 'mrkdwn',
  text: clamp(text, max),
  verbatim: true,
});

/** `mrkdwn` of plain text (user-provided content): escaped first. */
const mrkdwn = (text: string, max = SECTION_MAX) => escapedMrkdwn(escapeSlack(text), max);

/**
 * The request card as Block Kit: header (title), status (with a progress bar while installing), the
 * fields, Approve/Reject buttons while a decision is awaited, and the footer as context. Plain-text
 * header and button labels are not parsed by Slack; every `mrkdwn` value is escaped.
 */
export function cardBlocks(card: CardModel): types.KnownBlock[] {
  const blocks: types.KnownBlock[] = [
    {
      type: 'header',
      block_id: 'card_title',
      text: { type: 'plain_text', text: clamp(card.title, HEADER_MAX), emoji: true },
    },
    {
      type: 'section',
      block_id: 'card_status',
      text: mrkdwn(
        card.progress === null ? card.statusLine : `${card.statusLine}\n${progressBar(card.progress)}`,
      ),
    },
  ];
  if (card.fields.length) {
    blocks.push({
      type: 'section',
      block_id: 'card_fields',
      fields: card.fields
        .slice(0, MAX_FIELDS)
        .map((f) => escapedMrkdwn(`*${escapeSlack(f.label)}*\n${escapeSlack(f.value)}`, FIELD_MAX)),
    });
  }
  if (card.batch) {
    // One section of rows (3000 characters), most urgent first, then "… and N more".
    blocks.push({
      type: 'section',
      block_id: 'card_machines',
      text: escapedMrkdwn(
        fitRows(card.batch.rows, {
          maxChars: SECTION_MAX - 100,
          escape: (r) => escapeSlack(r).slice(0, 300),
        }).join('\n'),
      ),
    });
  }
  if (card.awaitingDecision) {
    const value = card.batch ? `b${card.batch.id}` : String(card.deploymentId);
    blocks.push({
      type: 'actions',
      block_id: 'card_decision',
      elements: [
        {
          type: 'button',
          action_id: APPROVE_ACTION,
          text: { type: 'plain_text', text: '✅ Approve', emoji: true },
          style: 'primary',
          value,
        },
        {
          type: 'button',
          action_id: REJECT_ACTION,
          text: { type: 'plain_text', text: '❌ Reject', emoji: true },
          style: 'danger',
          value,
          confirm: {
            title: { type: 'plain_text', text: 'Reject this request?' },
            text: { type: 'plain_text', text: clamp(card.title, 300) },
            confirm: { type: 'plain_text', text: 'Reject' },
            deny: { type: 'plain_text', text: 'Keep it' },
            style: 'danger',
          },
        },
      ],
    });
  }
  if (card.footer) {
    blocks.push({ type: 'context', block_id: 'card_footer', elements: [mrkdwn(card.footer)] });
  }
  return blocks;
}

/** The message `text`: what notifications, screen readers and old clients show instead of the blocks. */
export function cardFallback(card: CardModel): string {
  return clamp(escapeSlack(`${card.title} — ${card.statusLine}`), SECTION_MAX);
}

import { fitRows } from './batch-card.js';
import type { CardModel } from './card.js';

/**
 * The card as plain-text lines (the shell adapter, and a fallback for any platform):
 * ```
 * Deployment #42: Ubuntu Server 24.04 LTS → srv01
 * ⏳ Waiting for approval
 * Requested by: operator · MAC: 52:54:00:12:34:56 · OS: Ubuntu Server 24.04 LTS · …
 * /approve 42 or /reject 42. Expires 2026-11-27 14:05 UTC if nobody decides.
 * ```
 */
export function cardLines(card: CardModel): string[] {
  const lines = [card.title, card.statusLine, card.fields.map((f) => `${f.label}: ${f.value}`).join(' · ')];
  // A batch: its machines, most urgent first; a terminal reads 50 rows at a glance, not 500.
  if (card.batch) lines.push(...fitRows(card.batch.rows, { maxChars: 8000, maxRows: 50 }));
  if (card.footer) lines.push(card.footer);
  return lines;
}

import type { Batch } from '../../core/batches/batch.entity.js';
import { batchCounts, batchStatus } from '../../core/batches/batch-status.js';
import type { Deployment } from '../../core/deployments/deployment.entity.js';
import { type DeploymentState, isTerminal } from '../../core/deployments/lifecycle.js';
import type { CardContext, CardModel } from './card.js';
import { formatDuration, runTime } from './durations.js';
import { STATE_LABELS, stageLabel } from './labels.js';

/** Short state words of the summary line, in the order a reader wants them. */
const SUMMARY: [DeploymentState, string][] = [
  ['done', 'done'],
  ['configuring', 'configuring'],
  ['installing', 'installing'],
  ['booting', 'booting'],
  ['approved', 'waiting'],
  ['pending_approval', 'awaiting approval'],
  ['failed', 'failed'],
  ['cancelled', 'cancelled'],
  ['rejected', 'rejected'],
  ['expired', 'expired'],
];

/** Row order: failures, then the machines still running (least advanced, longest silent first), … */
const ROW_ORDER: Record<DeploymentState, number> = {
  failed: 0,
  approved: 1,
  booting: 2,
  installing: 3,
  configuring: 4,
  pending_approval: 5,
  done: 6,
  cancelled: 7,
  expired: 8,
  rejected: 9,
};

/**
 * The one card of a batch: `Batch #7: Ubuntu Server 24.04 → 20 machines`, a summary line
 * (`done 12 · installing 5 · failed 1 · waiting 2`), the share of finished machines as progress, and one
 * row per machine, failures and the slowest first. Free of the current time, like {@link buildCard}.
 */
export function buildBatchCard(batch: Batch, members: Deployment[], ctx: CardContext): CardModel {
  const counts = batchCounts(members);
  const status = batchStatus(members);
  const finished = members.filter((m) => isTerminal(m.status)).length;
  const summary = summaryLine(members);
  const { emoji } = status === 'running' ? { emoji: '⚙️' } : STATE_LABELS[status];
  const osValue = batch.edition ? `${ctx.imageName} · ${ctx.editionLabel ?? batch.edition}` : ctx.imageName;
  const pending = status === 'pending_approval';
  const by = ctx.decision
    ? `${ctx.decision.verdict === 'approve' ? 'Approved' : 'Rejected'} by ${ctx.decision.actorName}`
    : '';
  return {
    deploymentId: 0,
    title: `Batch #${batch.id}: ${ctx.imageName} → ${members.length} machines`,
    status: status === 'running' ? 'installing' : status,
    statusLine: `${emoji} ${summary}`,
    tone: tone(status, counts.failed > 0),
    fields: [
      { label: 'Requested by', value: batch.requestedBy.name },
      { label: 'OS', value: osValue },
      { label: 'Profile', value: batch.profile },
      { label: 'Machines', value: String(members.length) },
    ],
    progress: pending ? null : Math.round((finished / Math.max(1, members.length)) * 100),
    awaitingDecision: pending,
    footer: pending
      ? `${ctx.approvalHint ?? 'React ✅ to approve or ❌ to reject.'} One decision for all ${members.length} machines. Expires ${expiry(members)} if nobody decides.`
      : by,
    batch: { id: batch.id, rows: orderRows(members).map(row) },
  };
}

/** `done 12 · installing 5 · failed 1 · waiting 2`. */
export function summaryLine(members: Deployment[]): string {
  const counts = batchCounts(members);
  return SUMMARY.filter(([s]) => counts[s] > 0)
    .map(([s, word]) => `${word} ${counts[s]}`)
    .join(' · ');
}

function orderRows(members: Deployment[]): Deployment[] {
  return [...members].sort((a, b) => {
    const rank = ROW_ORDER[a.status] - ROW_ORDER[b.status];
    if (rank) return rank;
    // Finished: slowest first. Running: longest without news first. Otherwise as listed.
    if (a.status === 'done') return runTime(b) - runTime(a);
    if (!isTerminal(a.status)) return a.lastEventAt.getTime() - b.lastEventAt.getTime() || a.id - b.id;
    return a.id - b.id;
  });
}

/** `❌ web03 #42 — failed: disk not found`, `⚙️ web07 #46 — Downloading image 45%`, `✅ web01 #40 — 17m 32s`. */
export function row(d: Deployment): string {
  const { emoji } = STATE_LABELS[d.status];
  const head = `${emoji} ${d.hostname} #${d.id}`;
  switch (d.status) {
    case 'failed':
      return `${head} — failed: ${(d.failureReason ?? 'no reason given').replace(/\s+/g, ' ').slice(0, 120)}`;
    case 'done':
      return `${head} — done in ${formatDuration(runTime(d))}`;
    case 'booting':
    case 'installing':
    case 'configuring': {
      const stage = d.stage && d.stage !== d.status ? stageLabel(d.stage).label : d.status;
      return `${head} — ${stage}${d.progress !== null && d.status !== 'booting' ? ` ${d.progress}%` : ''}`;
    }
    case 'approved':
      return `${head} — waiting to PXE-boot`;
    case 'pending_approval':
      return `${head} — awaiting approval`;
    default:
      return `${head} — ${d.status}`;
  }
}

function expiry(members: Deployment[]): string {
  const at = members[0]?.expiresAt.toISOString() ?? '';
  return `${at.slice(0, 10)} ${at.slice(11, 16)} UTC`;
}

function tone(status: string, anyFailed: boolean): CardModel['tone'] {
  if (status === 'pending_approval') return 'pending';
  if (status === 'failed' || anyFailed) return 'failure';
  if (status === 'done') return 'success';
  if (['rejected', 'expired', 'cancelled'].includes(status)) return 'neutral';
  return 'running';
}

/**
 * As many rows as fit `maxChars` (joined by newlines) and `maxRows`, then `… and 30 more` — the rows
 * come most urgent first, so what is cut is what matters least. `escape` is applied per row first.
 */
export function fitRows(
  rows: string[],
  limits: { maxChars: number; maxRows?: number; escape?: (row: string) => string; more?: string },
): string[] {
  const escapeRow = limits.escape ?? ((r: string) => r);
  const out: string[] = [];
  let used = 0;
  const tail = (n: number) => `… and ${n} more${limits.more ? ` ${limits.more}` : ''}`;
  for (let i = 0; i < rows.length; i++) {
    const line = escapeRow(rows[i]!);
    const left = rows.length - i - 1;
    const reserve = left > 0 ? tail(rows.length).length + 1 : 0;
    if (
      out.length >= (limits.maxRows ?? Number.POSITIVE_INFINITY) ||
      used + line.length + 1 + reserve > limits.maxChars
    ) {
      out.push(tail(rows.length - i));
      return out;
    }
    out.push(line);
    used += line.length + 1;
  }
  return out;
}

import type { Deployment } from '../../core/deployments/deployment.entity.js';
import { isTerminal } from '../../core/deployments/lifecycle.js';
import { row, summaryLine } from './batch-card.js';
import type { CardModel } from './card.js';

/**
 * The channel board: one card that shows a saturated channel's single deployments at once, for when
 * their own cards cannot all be edited in time (Discord edits 5 messages per 5 s in a channel; 200
 * machines finishing within half a minute would wait three minutes for their cards). One edit of the
 * board shows every state change since the last; the deployments' own cards catch up behind it.
 *
 * Rows: failures, then the machines that finished, most recent first (that is the news), then the
 * running ones, least advanced first. Free of the current time, so an unchanged channel is not redrawn.
 */
export function buildBoardCard(members: Deployment[]): CardModel {
  const finished = members.filter((m) => isTerminal(m.status));
  const failed = members.filter((m) => m.status === 'failed').length;
  const running = members.filter((m) => !isTerminal(m.status));
  const rows = [
    ...finished.filter((m) => m.status === 'failed').sort(newestFirst),
    ...finished.filter((m) => m.status !== 'failed').sort(newestFirst),
    ...running.sort((a, b) => a.lastEventAt.getTime() - b.lastEventAt.getTime() || a.id - b.id),
  ].map(row);
  const allDone = running.length === 0;
  return {
    deploymentId: 0,
    title: `Channel board: ${members.length} deployment${members.length === 1 ? '' : 's'}`,
    status: allDone ? (failed ? 'failed' : 'done') : 'installing',
    statusLine: `${allDone ? (failed ? '❌' : '✅') : '⚙️'} ${summaryLine(members)}`,
    tone: failed ? 'failure' : allDone ? 'success' : 'running',
    fields: [],
    progress: Math.round((finished.length / Math.max(1, members.length)) * 100),
    awaitingDecision: false,
    footer: 'This channel is busy: the board shows every deployment at once; their own cards follow.',
    batch: { id: 0, rows },
  };
}

function newestFirst(a: Deployment, b: Deployment): number {
  return (b.finishedAt?.getTime() ?? 0) - (a.finishedAt?.getTime() ?? 0) || a.id - b.id;
}

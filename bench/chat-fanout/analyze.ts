import { type LatencySummary, summarize } from '../support/stats.js';
import type { SentTimes } from './drive.js';
import type { ChatRefRow, FanoutPlatform, Seen } from './fake-platforms.js';
import type { DeploymentPlan, LineClass } from './plan.js';

/** What reached chat, and how late. */
export interface Delivery {
  /** Lag from the machine's request to the thread message carrying its line, per class, ms. */
  lagMs: Record<LineClass, LatencySummary>;
  /** From the `done` callback to the card first showing Done, ms. */
  cardFinalLagMs: LatencySummary;
  /** From the `done` callback to the card or the channel board first showing it done, ms. */
  cardOrBoardFinalLagMs: LatencySummary;
  /** Channel boards posted, and their versions. */
  boards: { boards: number; versions: number };
  /** Lines never seen in their thread, per class. */
  missing: Record<LineClass, number>;
  /** Deployments whose thread shows the final line, and whose card shows Done. */
  finalInThread: number;
  finalOnCard: number;
  /** Lines that reached chat more than once (thread messages and digest rows together). */
  doubled: number;
  /** Channel digests during the run: messages, rows, most deployments in one. */
  digests: { messages: number; rows: number; maxDeployments: number };
  /** Thread messages posted once the stages started, and what the most urgent line of each was. */
  stageMessages: { total: number; lines: number; maxLinesInOne: number; byClass: Record<LineClass, number> };
}

const CLASSES: LineClass[] = ['final', 'state', 'progress'];
const RANK: Record<LineClass, number> = { final: 0, state: 1, progress: 2 };

/**
 * Matches every planned line to the first thread message or channel digest row that shows it, and
 * counts the lines that showed up more than once.
 */
export function analyzeDelivery(
  platform: FanoutPlatform,
  plans: DeploymentPlan[],
  ids: number[],
  refs: Map<number, ChatRefRow>,
  sent: SentTimes,
  stagesStarted: number,
): Delivery {
  const lags: Record<LineClass, number[]> = { final: [], state: [], progress: [] };
  const missing: Record<LineClass, number> = { final: 0, state: 0, progress: 0 };
  const cardLags: number[] = [];
  const shownLags: number[] = [];
  const boards = platform.boards();
  const boardVersions = boards.flat().sort((a, b) => a.at - b.at);
  const byClass: Record<LineClass, number> = { final: 0, state: 0, progress: 0 };
  let finalInThread = 0;
  let finalOnCard = 0;
  let total = 0;
  let lines = 0;
  let maxLinesInOne = 0;
  let doubled = 0;
  const digests = platform.channelDigests?.() ?? [];
  const rowsOf = new Map<string, Seen[]>();
  for (const digest of digests) {
    for (const row of digest.text.split('\n')) {
      const tag = row.split(' ')[0]!;
      rowsOf.set(tag, [...(rowsOf.get(tag) ?? []), { at: digest.at, text: row }]);
    }
  }
  for (const plan of plans) {
    const ref = refs.get(ids[plan.index]!);
    const thread = ref ? platform.thread(ref) : [];
    const shown = [...thread, ...(rowsOf.get(`#${ids[plan.index]}`) ?? [])].sort((a, b) => a.at - b.at);
    const classOf = new Map<number, LineClass>();
    plan.lines.forEach((line, i) => {
      const at = sent[plan.index]![i]!;
      if (shown.filter((m) => line.matches(m.text)).length > 1) doubled++;
      const seen = shown.find((m) => line.matches(m.text));
      if (!seen || Number.isNaN(at)) {
        missing[line.class]++;
        return;
      }
      lags[line.class].push(seen.at - at);
      const found = thread.indexOf(seen);
      const before = classOf.get(found);
      if (found >= 0 && (!before || RANK[line.class] < RANK[before])) classOf.set(found, line.class);
      if (line.class === 'final') finalInThread++;
    });
    thread.forEach((m, i) => {
      if (m.at < stagesStarted) return;
      total++;
      const n = m.text.split('\n').length;
      lines += n;
      maxLinesInOne = Math.max(maxLinesInOne, n);
      const c = classOf.get(i);
      if (c) byClass[c]++;
    });
    const doneAt = sent[plan.index]!.at(-1)!;
    const onCard = ref ? platform.cardVersions(ref).find((v) => v.text.includes('✅ Done')) : undefined;
    if (onCard) {
      finalOnCard++;
      if (!Number.isNaN(doneAt)) cardLags.push(onCard.at - doneAt);
    }
    // The board's row of a finished machine: `✅ srv-fan-001 #42 — done in 4m 10s`.
    const row = `#${ids[plan.index]} — done`;
    const onBoard = boardVersions.find((v) => v.text.includes(row));
    const first = [onCard, onBoard].filter((v) => v !== undefined).sort((a, b) => a.at - b.at)[0];
    if (first && !Number.isNaN(doneAt)) shownLags.push(first.at - doneAt);
  }
  return {
    lagMs: Object.fromEntries(CLASSES.map((c) => [c, summarize(lags[c])])) as Record<
      LineClass,
      LatencySummary
    >,
    cardFinalLagMs: summarize(cardLags),
    cardOrBoardFinalLagMs: summarize(shownLags),
    boards: { boards: boards.length, versions: boardVersions.length },
    missing,
    finalInThread,
    finalOnCard,
    doubled,
    digests: {
      messages: digests.filter((d) => d.at >= stagesStarted).length,
      rows: digests.filter((d) => d.at >= stagesStarted).reduce((n, d) => n + d.text.split('\n').length, 0),
      maxDeployments: Math.max(
        0,
        ...digests.map((d) => new Set(d.text.split('\n').map((r) => r.split(' ')[0])).size),
      ),
    },
    stageMessages: { total, lines, maxLinesInOne, byClass },
  };
}

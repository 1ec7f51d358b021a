import { type LatencySummary, summarize } from '../support/stats.js';
import type { SentTimes } from './drive.js';
import type { ChatRefRow, FanoutPlatform } from './fake-platforms.js';
import type { DeploymentPlan, LineClass } from './plan.js';

/** What reached chat, and how late. */
export interface Delivery {
  /** Lag from the machine's request to the thread message carrying its line, per class, ms. */
  lagMs: Record<LineClass, LatencySummary>;
  /** From the `done` callback to the card first showing Done, ms. */
  cardFinalLagMs: LatencySummary;
  /** Lines never seen in their thread, per class. */
  missing: Record<LineClass, number>;
  /** Deployments whose thread shows the final line, and whose card shows Done. */
  finalInThread: number;
  finalOnCard: number;
  /** Thread messages posted once the stages started, and what the most urgent line of each was. */
  stageMessages: { total: number; lines: number; maxLinesInOne: number; byClass: Record<LineClass, number> };
}

const CLASSES: LineClass[] = ['final', 'state', 'progress'];
const RANK: Record<LineClass, number> = { final: 0, state: 1, progress: 2 };

/** Matches every planned line to the first thread message that shows it. */
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
  const byClass: Record<LineClass, number> = { final: 0, state: 0, progress: 0 };
  let finalInThread = 0;
  let finalOnCard = 0;
  let total = 0;
  let lines = 0;
  let maxLinesInOne = 0;
  for (const plan of plans) {
    const ref = refs.get(ids[plan.index]!);
    const thread = ref ? platform.thread(ref) : [];
    const classOf = new Map<number, LineClass>();
    plan.lines.forEach((line, i) => {
      const at = sent[plan.index]![i]!;
      const found = thread.findIndex((m) => line.matches(m.text));
      if (found < 0 || Number.isNaN(at)) {
        missing[line.class]++;
        return;
      }
      lags[line.class].push(thread[found]!.at - at);
      const before = classOf.get(found);
      if (!before || RANK[line.class] < RANK[before]) classOf.set(found, line.class);
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
    const shown = ref ? platform.cardVersions(ref).find((v) => v.text.includes('✅ Done')) : undefined;
    if (shown) {
      finalOnCard++;
      if (!Number.isNaN(doneAt)) cardLags.push(shown.at - doneAt);
    }
  }
  return {
    lagMs: Object.fromEntries(CLASSES.map((c) => [c, summarize(lags[c])])) as Record<
      LineClass,
      LatencySummary
    >,
    cardFinalLagMs: summarize(cardLags),
    missing,
    finalInThread,
    finalOnCard,
    stageMessages: { total, lines, maxLinesInOne, byClass },
  };
}

import { describe, expect, it } from 'vitest';
import { analyzeDelivery } from '../../../bench/chat-fanout/analyze.js';
import type { ChatRefRow, FanoutPlatform, Seen } from '../../../bench/chat-fanout/fake-platforms.js';
import { planFanout } from '../../../bench/chat-fanout/plan.js';

const ref: ChatRefRow = { deploymentId: 7, channelId: 'C1', cardMessageId: 'M1', threadId: 'T1' };

function platform(thread: Seen[], card: Seen[], boards: Seen[][] = []): FanoutPlatform {
  return {
    name: 'slack',
    env: {},
    mark: () => 0,
    callsSince: () => ({}),
    rateLimited: () => 0,
    thread: () => thread,
    boards: () => boards,
    cardVersions: () => card,
    close: async () => {},
  };
}

describe('chat fan-out delivery analysis', () => {
  const [plan] = planFanout(1, 60_000);
  // Sent at 1000, 2000, … 13000 ms: the boot, then stages 1–12.
  const sent = [plan!.lines.map((_, i) => (i + 1) * 1000)];

  it('times each line from its request to the first message showing it, by class', () => {
    const thread: Seen[] = [
      { at: 900, text: '👍 Approved by api.' }, // before the stages: not counted as a stage message
      { at: 1500, text: '🟢 Booting — UEFI, KVM detected' },
      {
        at: 14_000,
        text: Array.from({ length: 11 }, (_, i) => `x stage${String(i + 1).padStart(2, '0')}of12`).join('\n'),
      },
      { at: 16_000, text: '✅ Done in 15s — WIN-fan-000, RDP ready\n⏱ phases' },
    ];
    const card: Seen[] = [
      { at: 900, text: '👍 Approved' },
      { at: 20_000, text: '✅ Done in 15s' },
    ];
    const d = analyzeDelivery(platform(thread, card), [plan!], [7], new Map([[7, ref]]), sent, 1000);
    expect(d.lagMs.state).toMatchObject({ count: 3, max: 12_000 }); // boot 500 ms; stage 1 at 2000 → 12 s
    expect(d.lagMs.state.p50).toBe(5000); // stage 8 (configuring) sent at 9000, shown at 14 000
    expect(d.lagMs.final).toMatchObject({ count: 1, p50: 3000 });
    expect(d.lagMs.progress.count).toBe(9);
    expect(d.cardFinalLagMs).toMatchObject({ count: 1, p50: 7000 });
    expect(d.missing).toEqual({ final: 0, state: 0, progress: 0 });
    expect([d.finalInThread, d.finalOnCard]).toEqual([1, 1]);
    expect(d.stageMessages).toEqual({
      total: 3,
      lines: 14,
      maxLinesInOne: 11,
      byClass: { final: 1, state: 2, progress: 0 },
    });
  });

  it("counts the channel board's row when it shows a machine done before its card does", () => {
    const card: Seen[] = [{ at: 20_000, text: '✅ Done in 15s' }];
    const board: Seen[] = [
      { at: 12_000, text: 'Channel board: 2 deployments\n⚙️ srv #7 — installing' },
      { at: 14_000, text: 'Channel board: 2 deployments\n✅ srv #77 — done in 9s\n⚙️ srv #7 — installing' },
      { at: 15_000, text: 'Channel board: 2 deployments\n✅ srv #7 — done in 15s' },
    ];
    const d = analyzeDelivery(platform([], card, [board]), [plan!], [7], new Map([[7, ref]]), sent, 1000);
    expect(d.cardFinalLagMs.p50).toBe(7000);
    expect(d.cardOrBoardFinalLagMs.p50).toBe(2000);
    expect(d.boards).toEqual({ boards: 1, versions: 3 });
  });

  it('counts what never arrived', () => {
    const d = analyzeDelivery(platform([], []), [plan!], [7], new Map([[7, ref]]), sent, 1000);
    expect(d.missing).toEqual({ final: 1, state: 3, progress: 9 });
    expect([d.finalInThread, d.finalOnCard]).toEqual([0, 0]);
  });
});

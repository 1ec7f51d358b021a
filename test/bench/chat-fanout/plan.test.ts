import { describe, expect, it } from 'vitest';
import { planFanout } from '../../../bench/chat-fanout/plan.js';

describe('chat fan-out plan', () => {
  const plans = planFanout(200, 300_000);

  it('gives every deployment a boot and 12 stages in order, within the duration', () => {
    for (const p of plans) {
      expect(p.lines.map((l) => l.step)).toEqual(['boot', 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
      const times = p.lines.map((l) => l.atMs);
      expect([...times].sort((a, b) => a - b)).toEqual(times);
      expect(times[0]).toBeGreaterThanOrEqual(0);
      expect(times.at(-1)).toBeLessThan(300_000 * 1.02);
    }
    expect(new Set(plans.map((p) => p.mac)).size).toBe(200);
  });

  it('has three state changes and one final state per deployment, the rest installer stages', () => {
    for (const p of plans) {
      const classes = p.lines.map((l) => l.class);
      expect(classes.filter((c) => c === 'state')).toHaveLength(3);
      expect(classes.at(-1)).toBe('final');
      expect(classes.filter((c) => c === 'progress')).toHaveLength(9);
    }
  });

  it('tags each stage it writes the message of with its own marker, found by that line only', () => {
    for (const p of plans.slice(0, 2)) {
      const bodies = p.lines
        .slice(1)
        .map((l) => decodeURIComponent((l.request('1.t').body ?? '').replaceAll('+', ' ')));
      const tagged = bodies.map((b) => /stage(\d\d)of12/.exec(b)?.[1]).filter(Boolean);
      // All but `done` (and, for Ubuntu, subiquity's end of install) carry a marker of their own.
      expect(tagged.length).toBe(p.os === 'ws2025' ? 11 : 10);
      expect(new Set(tagged).size).toBe(tagged.length);
      p.lines.slice(1).forEach((line, i) => {
        const marker = /stage\d\dof12/.exec(bodies[i]!)?.[0];
        if (!marker) return;
        expect(line.matches(`⚙️ Something — ${marker}`)).toBe(true);
        expect(p.lines.filter((l) => l.matches(`⚙️ Something — ${marker}`))).toHaveLength(1);
      });
    }
  });

  it('sends the same schedule every time', () => {
    expect(planFanout(5, 60_000).map((p) => p.lines.map((l) => l.atMs))).toEqual(
      planFanout(5, 60_000).map((p) => p.lines.map((l) => l.atMs)),
    );
  });
});

import { describe, expect, it } from 'vitest';
import type { MessagePriority } from '../../../chat/chat-platform.js';
import type { Deployment } from '../../../core/deployments/deployment.entity.js';
import { type PendingLines, planChannelDigest } from '../../../worker/notifier/channel-digest-plan.js';

const pending = (id: number, lines: [string, MessagePriority, number][]): PendingLines => ({
  d: { id, hostname: `web${id}` } as Deployment,
  lines: lines.map(([text, priority], i) => ({ eventId: `${id}-${i}`, text, priority })),
  arrived: new Map(lines.map(([, , at], i) => [`${id}-${i}`, at])),
});

describe('channel digest plan', () => {
  it('leads with finals (oldest first), keeps each machine in order and continues a cut machine next time', () => {
    const all = [
      pending(1, [['💽 Disk partitioned', 'progress', 10]]),
      pending(2, [
        ['🧩 Image applied', 'progress', 5],
        ['✅ Done in 9m', 'final', 30],
      ]),
      pending(3, [['❌ Failed: no disk', 'final', 20]]),
    ];
    const first = planChannelDigest(all, 1000)!;
    expect(first.message.text.split('\n')).toEqual([
      '#3 web3: ❌ Failed: no disk',
      '#2 web2: 🧩 Image applied',
      '#2 web2: ✅ Done in 9m',
      '#1 web1: 💽 Disk partitioned',
    ]);
    expect(first).toMatchObject({ urgency: { priority: 'final', since: 20 }, deployments: 3 });

    // Room for two rows only: machine 2 is cut after its first line and continues in the next digest.
    const short = planChannelDigest(all, '#3 web3: ❌ Failed: no disk\n#2 web2: 🧩 Image applied'.length)!;
    expect(short.eventIds).toEqual(['3-0', '2-0']);
    const rest = all.map((p) => ({
      ...p,
      lines: p.lines.filter((l) => !short.eventIds.includes(l.eventId)),
    }));
    expect(planChannelDigest(rest, 1000)!.message.text.split('\n')).toEqual([
      '#2 web2: ✅ Done in 9m',
      '#1 web1: 💽 Disk partitioned',
    ]);
    expect(planChannelDigest([pending(4, [])], 1000)).toBeNull();
  });
});

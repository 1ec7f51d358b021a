import { describe, expect, it } from 'vitest';
import { renderCard } from '../../bot/discord/card-render.js';
import { cardBlocks } from '../../bot/slack/card-blocks.js';
import { buildBatchCard, fitRows } from '../../chat/messages/batch-card.js';
import { buildBoardCard } from '../../chat/messages/board-card.js';
import { cardLines } from '../../chat/messages/card-text.js';
import type { Batch } from '../../core/batches/batch.entity.js';
import type { Deployment } from '../../core/deployments/deployment.entity.js';
import type { DeploymentState } from '../../core/deployments/lifecycle.js';
import { checkMessageFields } from '../support/fake-discord/message-validation.js';
import { checkBlocks } from '../support/fake-slack/message-content.js';

const t0 = new Date('2026-12-04T20:00:00Z');
const at = (min: number) => new Date(t0.getTime() + min * 60_000);

function member(
  i: number,
  status: DeploymentState,
  hostname = `web${String(i).padStart(2, '0')}`,
): Deployment {
  return {
    id: 100 + i,
    hostname,
    status,
    stage: status === 'installing' ? 'image_downloading' : status,
    progress: status === 'installing' ? 45 : null,
    failureReason: status === 'failed' ? `disk not found on ${hostname} — ${'x'.repeat(300)}` : null,
    createdAt: t0,
    approvedAt: at(1),
    bootingAt: at(2),
    installingAt: status === 'booting' ? null : at(3),
    configuringAt: null,
    finishedAt: status === 'done' || status === 'failed' ? at(10 + (i % 7)) : null,
    lastEventAt: at(5 + (i % 3)),
    expiresAt: at(60),
  } as Deployment;
}

const batch = {
  id: 7,
  os: 'ubuntu2404',
  edition: null,
  profile: 'auto',
  requestedBy: { name: 'alice' },
  size: 0,
} as unknown as Batch;
const ctx = { imageName: 'Ubuntu Server 24.04 LTS', decision: { verdict: 'approve', actorName: 'bob' } };

/** 20 machines: done 12 · installing 5 · failed 1 · waiting 2, as the issue shows it. */
function twenty(): Deployment[] {
  const states: DeploymentState[] = [
    ...Array<DeploymentState>(12).fill('done'),
    ...Array<DeploymentState>(5).fill('installing'),
    'failed',
    'approved',
    'approved',
  ];
  return states.map((s, i) => member(i + 1, s));
}

describe('the batch card', () => {
  it('reads at a glance: title, summary, progress, failures then the slowest first', () => {
    const card = buildBatchCard(batch, twenty(), ctx);
    expect(card.title).toBe('Batch #7: Ubuntu Server 24.04 LTS → 20 machines');
    expect(card.statusLine).toBe('⚙️ done 12 · installing 5 · waiting 2 · failed 1');
    expect(card.progress).toBe(65);
    expect(card.footer).toBe('Approved by bob');
    const rows = card.batch!.rows;
    expect(rows[0]).toMatch(/^❌ web18 #118 — failed: disk not found on web18/);
    expect(rows.slice(1, 3)).toEqual([
      '👍 web19 #119 — waiting to PXE-boot',
      '👍 web20 #120 — waiting to PXE-boot',
    ]);
    expect(rows[3]).toMatch(/^⚙️ web\d\d #\d+ — Downloading image 45%$/);
    // Finished ones, slowest first.
    const done = rows.filter((r) => r.startsWith('✅')).map((r) => /done in (\d+)m/.exec(r)![1]!);
    expect(done.map(Number)).toEqual([...done.map(Number)].sort((a, b) => b - a));
  });

  it.each([60, 500])(
    'fits Discord and Slack limits with %i machines, as the fakes check them, ending "… and N more"',
    (n) => {
      const members = Array.from({ length: n }, (_, i) =>
        member(
          i + 1,
          i % 10 === 0 ? 'failed' : 'installing',
          `rack-${String(i).padStart(3, '0')}-${'n'.repeat(50)}`,
        ),
      );
      const card = buildBatchCard(batch, members, { ...ctx, decision: null });
      const discord = renderCard(card);
      expect(() => checkMessageFields(discord)).not.toThrow();
      const description = discord.embeds[0]!.description!;
      expect(description).toMatch(/\n… and \d+ more$/);
      expect(description.split('\n').find((l) => l.includes('rack-'))).toMatch(/^❌ rack-000/);
      const pending = renderCard(
        buildBatchCard(batch, [member(1, 'pending_approval'), member(2, 'pending_approval')], ctx),
      );
      expect(pending.components[0]!.components.map((c) => (c as { custom_id: string }).custom_id)).toEqual([
        'octofleet:approve:b7',
        'octofleet:reject:b7',
      ]);
      const blocks = cardBlocks(card);
      expect(checkBlocks(blocks)).toBeUndefined();
      const machines = blocks.find((b) => b.block_id === 'card_machines') as { text: { text: string } };
      expect(machines.text.text).toMatch(/\n… and \d+ more$/);
      const lines = cardLines(card);
      // The shell: at most 50 rows (fewer when 8000 characters are reached first), then the rest counted.
      const shown = lines.filter((l) => l.includes(' rack-')).length;
      if (n === 60) expect(shown).toBe(50);
      else expect(shown).toBeGreaterThan(30);
      expect(lines).toContain(`… and ${n - shown} more`);
    },
  );

  it('fitRows counts the rows it leaves out', () => {
    expect(fitRows(['a', 'b', 'c'], { maxChars: 100 })).toEqual(['a', 'b', 'c']);
    expect(fitRows(['a', 'b', 'c', 'd'], { maxChars: 100, maxRows: 2 })).toEqual(['a', 'b', '… and 2 more']);
    expect(fitRows(['aaaa', 'bbbb', 'cccc'], { maxChars: 20 })).toEqual(['aaaa', '… and 2 more']);
  });
});

describe('the channel board', () => {
  it('leads with failures, then the latest finals, then the machines still running; no decision', () => {
    const card = buildBoardCard(twenty());
    expect(card.title).toBe('Channel board: 20 deployments');
    expect(card.statusLine).toBe('⚙️ done 12 · installing 5 · waiting 2 · failed 1');
    expect(card.awaitingDecision).toBe(false);
    const rows = card.batch!.rows;
    expect(rows[0]).toMatch(/^❌ web18 #118 — failed/);
    // Finished: the most recent first (web06 at minute 16, web05 and web12 at 15, … web07 at 10).
    const done = rows.filter((r) => r.startsWith('✅')).map((r) => r.split(' ')[1]);
    expect(done.slice(0, 3)).toEqual(['web06', 'web05', 'web12']);
    expect(done.at(-1)).toBe('web07');
    expect(rows.slice(-7).every((r) => !r.startsWith('✅'))).toBe(true);
    // Rendered within both platforms' limits, with no buttons.
    const discord = renderCard(card);
    expect(() => checkMessageFields(discord)).not.toThrow();
    expect(discord.components).toEqual([]);
    expect(checkBlocks(cardBlocks(card))).toBeUndefined();
  });

  it('ends on the final state once nothing runs', () => {
    const finished = buildBoardCard([member(1, 'done'), member(2, 'failed')]);
    expect([finished.statusLine, finished.tone, finished.progress]).toEqual([
      '❌ done 1 · failed 1',
      'failure',
      100,
    ]);
    expect(buildBoardCard([member(1, 'done')]).statusLine).toBe('✅ done 1');
  });
});

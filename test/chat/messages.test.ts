import { describe, expect, it } from 'vitest';
import { buildCard } from '../../chat/messages/card.js';
import { formatDuration, phases } from '../../chat/messages/durations.js';
import { threadLine } from '../../chat/messages/thread-lines.js';
import type { Deployment } from '../../core/deployments/deployment.entity.js';
import type { DeploymentEvent } from '../../core/deployments/deployment-event.entity.js';
import { planThread } from '../../worker/notifier/plan.js';

const t0 = new Date('2026-11-27T10:00:00Z');
const at = (s: number) => new Date(t0.getTime() + s * 1000);

function deployment(patch: Partial<Deployment> = {}): Deployment {
  return {
    id: 42,
    mac: '00:15:5d:01:02:03',
    os: 'ws2025',
    edition: 'standard',
    hostname: 'srv01',
    profile: 'auto',
    resolvedProfile: 'kvm',
    status: 'installing',
    stage: 'image_downloading',
    progress: 45,
    failureReason: null,
    requestedBy: { platform: 'discord', id: 'u1', name: 'alice' },
    boot: { platform: 'efi', arch: 'x86_64' },
    createdAt: t0,
    updatedAt: t0,
    expiresAt: at(3600),
    approvedAt: at(121),
    bootingAt: at(161),
    installingAt: at(231),
    configuringAt: at(981),
    finishedAt: null,
    lastEventAt: at(981),
    ...patch,
  } as Deployment;
}

let seq = 0;
function event(stage: string, patch: Partial<DeploymentEvent> = {}): DeploymentEvent {
  return {
    id: String(++seq),
    deploymentId: 42,
    stage,
    message: null,
    progress: null,
    source: 'installer',
    state: null,
    receivedAt: t0,
    postedAt: null,
    ...patch,
  };
}

const win = { family: 'windows' as const };

describe('thread lines', () => {
  const d = deployment();
  it.each([
    [
      'approved',
      event('approved', { state: 'approved', message: 'approved by bob' }),
      undefined,
      '👍 Approved by bob. The machine may PXE-boot now: power it on or reboot it into network boot.',
    ],
    [
      'booting, profile detected',
      event('booting', { state: 'booting' }),
      undefined,
      '🟢 Booting — UEFI, KVM detected',
    ],
    [
      'booting, with the profile rule that matched',
      event('booting', {
        state: 'booting',
        message: 'UEFI, x86_64, profile kvm (auto: rule 8 of kvm (manufacturer "OpenStack"))',
      }),
      undefined,
      '🟢 Booting — UEFI, KVM detected by manufacturer "OpenStack"',
    ],
    [
      'booting, no profile rule matched',
      event('booting', {
        state: 'booting',
        message: 'UEFI, x86_64, profile baremetal (auto: no rule matched)',
      }),
      undefined,
      '🟢 Booting — UEFI, KVM detected (no rule matched)',
    ],
    [
      'a new stage with progress',
      event('image_downloading', { progress: 45 }),
      event('disk_prepared'),
      '📦 Downloading image 45%',
    ],
    [
      'the same stage with only new progress',
      event('image_downloading', { progress: 50 }),
      event('image_downloading', { progress: 45 }),
      null,
    ],
    [
      'the same stage with a new message',
      event('installer', { message: 'curtin: partitioning' }),
      event('installer', { message: 'subiquity' }),
      '⚙️ Installer — curtin: partitioning',
    ],
    ['a request (card only)', event('requested', { state: 'pending_approval' }), undefined, null],
    ['a rejection (card only)', event('rejected', { state: 'rejected' }), undefined, null],
    [
      'hostile installer text',
      event('installer', { message: 'a\r\n@everyone\u0007 <b>' }),
      undefined,
      '⚙️ Installer — a @everyone <b>',
    ],
  ])('%s', (_name, e, prev, expected) => {
    expect(threadLine(d, e, prev, win)?.text ?? null).toBe(expected);
  });

  it('done: total time from approval, host, how to reach it, each phase', () => {
    const done = deployment({ status: 'done', finishedAt: at(1173) });
    const line = threadLine(done, event('done', { state: 'done' }), undefined, win)!;
    expect(line.priority).toBe('final');
    expect(line.text).toBe(
      '✅ Done in 17m 32s — srv01, RDP ready\n⏱ approval 2m 01s · power-on 40s · boot 1m 10s · install 12m 30s · first boot 3m 12s',
    );
  });

  it('a repeated final report is not news; a contradicting late one is', () => {
    const done = deployment({ status: 'done', finishedAt: at(1173) });
    expect(threadLine(done, event('done'), undefined, win)).toBeNull();
    expect(threadLine(done, event('failed', { message: 'x' }), undefined, win)?.text).toBe(
      'ℹ️ Late "failed" report ignored: the deployment is already done',
    );
  });

  it('bounds a long installer message', () => {
    const text = threadLine(d, event('installer', { message: 'x'.repeat(5000) }), undefined, win)!.text;
    expect(text.length).toBeLessThan(340);
    expect(text.endsWith('… (cut)')).toBe(true);
  });
});

describe('planning thread messages', () => {
  it('sends every waiting line as one message, oldest first, and keeps progress for the card', () => {
    const events = [
      event('installing', { state: 'installing', postedAt: t0 }),
      event('image_downloading', { progress: 10 }),
      event('image_downloading', { progress: 20 }),
      event('image_applied'),
      event('specialize', { state: 'configuring' }),
    ];
    const plan = planThread(deployment(), events, win, 2000);
    expect(plan.messages).toHaveLength(1);
    expect(plan.messages[0]!.message.text).toBe(
      '📦 Downloading image 10%\n🧩 Image applied\n🛠️ Windows specialize pass',
    );
    expect(plan.messages[0]!.message.priority).toBe('state');
    expect(plan.messages[0]!.eventIds).toEqual([events[1]!.id, events[3]!.id, events[4]!.id]);
    expect(plan.cardOnly).toEqual([events[2]!.id]);
  });

  it('splits at the platform limit without reordering', () => {
    const events = Array.from({ length: 30 }, (_, i) =>
      event('installer', { message: `step ${i} ${'y'.repeat(80)}` }),
    );
    const plan = planThread(deployment(), events, win, 500);
    expect(plan.messages.length).toBeGreaterThan(1);
    for (const m of plan.messages) expect(m.message.text.length).toBeLessThanOrEqual(500);
    const lines = plan.messages.flatMap((m) => m.message.text.split('\n'));
    expect(lines.map((l) => /step (\d+)/.exec(l)![1])).toEqual(events.map((_, i) => String(i)));
  });
});

describe('card', () => {
  const ctx = { imageName: 'Windows Server 2025', editionLabel: 'Standard (Desktop Experience)' };
  it('pending: who asked, what, where, how to approve, when it expires', () => {
    const card = buildCard(
      deployment({ status: 'pending_approval', resolvedProfile: null, progress: null, stage: 'requested' }),
      ctx,
    );
    expect(card).toEqual({
      deploymentId: 42,
      title: 'Deployment #42: Windows Server 2025 → srv01',
      status: 'pending_approval',
      statusLine: '⏳ Waiting for approval',
      tone: 'pending',
      fields: [
        { label: 'Requested by', value: 'alice' },
        { label: 'MAC', value: '00:15:5d:01:02:03' },
        { label: 'OS', value: 'Windows Server 2025 · Standard (Desktop Experience)' },
        { label: 'Hostname', value: 'srv01' },
        { label: 'Profile', value: 'auto' },
      ],
      progress: null,
      awaitingDecision: true,
      footer: 'React ✅ to approve or ❌ to reject. Expires 2026-11-27 11:00 UTC if nobody decides.',
    });
  });

  it('installing: stage and progress, resolved profile, approver', () => {
    const card = buildCard(deployment(), { ...ctx, decision: { verdict: 'approve', actorName: 'bob' } });
    expect(card).toMatchObject({
      statusLine: '⚙️ Installing — Downloading image 45%',
      progress: 45,
      tone: 'running',
      footer: 'Approved by bob',
    });
    expect(card.fields[4]).toEqual({ label: 'Profile', value: 'auto → KVM' });
  });

  it('done: total and phases', () => {
    const card = buildCard(deployment({ status: 'done', finishedAt: at(1173), progress: 100 }), {
      ...ctx,
      decision: { verdict: 'approve', actorName: 'bob' },
    });
    expect(card.statusLine).toBe('✅ Done in 17m 32s');
    expect(card.footer).toBe(
      'Approved by bob · approval 2m 01s · power-on 40s · boot 1m 10s · install 12m 30s · first boot 3m 12s',
    );
  });
});

describe('durations', () => {
  it.each([
    [0, '0s'],
    [45_400, '45s'],
    [1_052_000, '17m 32s'],
    [3_900_000, '1h 05m'],
  ])('%i ms → %s', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });
  it('folds a skipped phase into the one before', () => {
    const list = phases(deployment({ installingAt: null, finishedAt: at(1173) }));
    expect(list.map((p) => p.label)).toEqual(['approval', 'power-on', 'boot', 'first boot']);
    expect(list[2]!.ms).toBe((981 - 161) * 1000);
  });
});

import type { Deployment } from '../../core/deployments/deployment.entity.js';

/** `17m 32s`, `1h 05m`, `45s`, `0s`: what a person reads at a glance. */
export function formatDuration(ms: number): string {
  const total = Math.max(0, Math.round(ms / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  if (h) return `${h}h ${String(m).padStart(2, '0')}m`;
  if (m) return `${m}m ${String(s).padStart(2, '0')}s`;
  return `${s}s`;
}

/** `14:05 UTC` (today) or `2026-11-28 14:05 UTC`, relative to `now`. */
export function formatClock(at: Date, now = new Date()): string {
  const iso = at.toISOString();
  const time = `${iso.slice(11, 16)} UTC`;
  return iso.slice(0, 10) === now.toISOString().slice(0, 10) ? time : `${iso.slice(0, 10)} ${time}`;
}

/** One phase of a deployment and how long it took. */
export interface Phase {
  label: string;
  ms: number;
}

type Stamps = Pick<
  Deployment,
  'createdAt' | 'approvedAt' | 'bootingAt' | 'installingAt' | 'configuringAt' | 'finishedAt'
>;

const PHASES: { label: string; start: keyof Stamps }[] = [
  { label: 'approval', start: 'createdAt' },
  { label: 'power-on', start: 'approvedAt' },
  { label: 'boot', start: 'bootingAt' },
  { label: 'install', start: 'installingAt' },
  { label: 'first boot', start: 'configuringAt' },
];

/**
 * Time spent in each phase, from the deployment's timestamps. A phase that was skipped (an installer
 * that reported `configuring` without `installing`) folds into the one before it.
 */
export function phases(d: Stamps, end: Date = d.finishedAt ?? new Date()): Phase[] {
  const marks = PHASES.map((p) => ({ label: p.label, at: d[p.start] as Date | null })).filter(
    (m): m is { label: string; at: Date } => m.at !== null,
  );
  return marks.map((m, i) => ({
    label: m.label,
    ms: Math.max(0, (marks[i + 1]?.at ?? end).getTime() - m.at.getTime()),
  }));
}

/** Time from approval (or the request, if never approved) to the end. */
export function runTime(d: Stamps, end: Date = d.finishedAt ?? new Date()): number {
  return end.getTime() - (d.approvedAt ?? d.createdAt).getTime();
}

/** `approval 2m 01s · power-on 40s · boot 1m 10s · install 12m 30s · first boot 3m 52s`. */
export function formatPhases(list: Phase[]): string {
  return list.map((p) => `${p.label} ${formatDuration(p.ms)}`).join(' · ');
}

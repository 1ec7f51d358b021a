import { IsolationLevel } from '@mikro-orm/core';
import { STATE_LABELS } from '../../chat/messages/labels.js';
import type { Core } from '../../core/create-core.js';
import { Decision } from '../../core/deployments/decision.entity.js';
import { Deployment } from '../../core/deployments/deployment.entity.js';
import {
  ACTIVE_STATES,
  type DeploymentState,
  isActive,
  TERMINAL_STATES,
} from '../../core/deployments/lifecycle.js';
import { OsImage } from '../../core/images/os-image.entity.js';
import { PROFILES } from '../../core/images/profiles.js';
import { Machine } from '../../core/machines/machine.entity.js';
import { shortLabel } from './views.js';

/** One deployment as a row of the queue. */
export interface QueueRow {
  id: number;
  hostname: string;
  mac: string;
  os: string;
  osName: string;
  edition: string | null;
  status: DeploymentState;
  stage: string | null;
  progress: number | null;
  requester: string;
  requesterPlatform: string;
  approver: string | null;
  createdAt: Date;
  updatedAt: Date;
  /** Lower-case text the search box matches. */
  search: string;
  canDecide: boolean;
  canCancel: boolean;
}

export interface QueueModel {
  now: Date;
  groups: { key: DeploymentState; label: string; count: number; rows: QueueRow[] }[];
  activeCount: number;
  finished: QueueRow[];
  /** Filter choices: every active state. */
  states: { value: DeploymentState; label: string }[];
  images: { id: string; name: string; editions: string[] }[];
  profiles: readonly string[];
  /** Inventory machines the New deployment dialog offers instead of a MAC. */
  machines: string[];
}

/** Finished deployments stay on the queue page this long. */
const RECENT_MS = 24 * 3600_000;
/** Most rows a page shows per section (a NOC screen, not an archive; the API pages through the rest). */
const MAX_ROWS = 500;

/** Active deployments grouped by state, and the ones that finished in the last day. */
export async function loadQueue(core: Core, now = new Date()): Promise<QueueModel> {
  // One snapshot, so a row and its approver always agree.
  const { active, finished, images, approvals, machines } = await core.orm.em.fork().transactional(
    async (em) => {
      const active = await em.find(
        Deployment,
        { status: { $in: [...ACTIVE_STATES] } },
        { orderBy: { id: 'asc' }, limit: MAX_ROWS },
      );
      const finished = await em.find(
        Deployment,
        { status: { $in: [...TERMINAL_STATES] }, finishedAt: { $gte: new Date(now.getTime() - RECENT_MS) } },
        { orderBy: { finishedAt: 'desc' }, limit: 100 },
      );
      const images = await em.find(OsImage, {}, { orderBy: { id: 'asc' } });
      const ids = [...active, ...finished].map((d) => d.id);
      const approvals = ids.length
        ? await em.find(Decision, { deploymentId: { $in: ids }, accepted: true, verdict: 'approve' })
        : [];
      const machines = await em.find(Machine, {}, { orderBy: { name: 'asc' }, fields: ['name'], limit: 500 });
      return { active, finished, images, approvals, machines };
    },
    { isolationLevel: IsolationLevel.REPEATABLE_READ, readOnly: true },
  );
  const approverOf = new Map(approvals.map((a) => [a.deploymentId, a.actorName]));
  const nameOf = new Map(images.map((i) => [i.id, i.name]));
  const row = (d: Deployment): QueueRow => ({
    id: d.id,
    hostname: d.hostname,
    mac: d.mac,
    os: d.os,
    osName: nameOf.get(d.os) ?? d.os,
    edition: d.edition,
    status: d.status,
    // The stage repeats the state until an installer reports its own (`image_downloading`).
    stage: d.stage === d.status || d.stage === 'requested' ? null : d.stage,
    progress: d.progress,
    requester: d.requestedBy.name,
    requesterPlatform: d.requestedBy.platform,
    approver: approverOf.get(d.id) ?? null,
    createdAt: d.createdAt,
    updatedAt: d.updatedAt,
    search: [
      d.id,
      d.hostname,
      d.mac,
      d.os,
      nameOf.get(d.os),
      d.edition,
      d.requestedBy.name,
      approverOf.get(d.id),
    ]
      .filter(Boolean)
      .join(' ')
      .toLowerCase(),
    canDecide: d.status === 'pending_approval',
    canCancel: isActive(d.status),
  });
  const rows = active.map(row);
  return {
    now,
    groups: ACTIVE_STATES.map((state) => {
      const inState = rows.filter((r) => r.status === state);
      return { key: state, label: shortLabel(state), count: inState.length, rows: inState };
    }).filter((g) => g.count > 0),
    activeCount: rows.length,
    finished: finished.map(row),
    states: ACTIVE_STATES.map((value) => ({ value, label: STATE_LABELS[value] ? shortLabel(value) : value })),
    images: images.map((i) => ({ id: i.id, name: i.name, editions: Object.keys(i.editions ?? {}) })),
    profiles: PROFILES,
    machines: machines.map((m) => m.name),
  };
}

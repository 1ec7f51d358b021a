import type { Deployment } from '../../core/deployments/deployment.entity.js';
import type { DeploymentState } from '../../core/deployments/lifecycle.js';
import { isPowerStage } from '../../core/power/power-stages.js';
import { formatDuration, formatPhases, phases, runTime } from './durations.js';
import { profileLabel, STATE_LABELS, stageLabel } from './labels.js';

/** A labelled value on a card (Discord embed field, Slack section field, a shell line). */
export interface CardField {
  label: string;
  value: string;
}

/**
 * The platform-neutral request card: everything an adapter needs to render it its own way. All strings
 * are plain text (adapters escape them). Built by {@link buildCard} from Postgres only, and free of the
 * current time, so the same state always renders the same card (the notifier compares to skip edits).
 */
export interface CardModel {
  deploymentId: number;
  /** `Deployment #42: Ubuntu Server 24.04 LTS → srv01` */
  title: string;
  status: DeploymentState;
  /** `⚙️ Installing — Downloading image 45%`, `✅ Done in 17m 32s`, `⏳ Waiting for approval`. */
  statusLine: string;
  /** Colour hint: `pending` (amber), `running` (blue), `success` (green), `failure` (red), `neutral` (grey). */
  tone: 'pending' | 'running' | 'success' | 'failure' | 'neutral';
  /** Who asked, MAC, OS and edition, hostname, profile. */
  fields: CardField[];
  /** 0–100 while installing, when the installer reports it. */
  progress: number | null;
  /** True while ✅/❌ decide it: adapters show buttons and the approval hint only then. */
  awaitingDecision: boolean;
  /** How to approve and when it expires (pending), or who decided / how long each phase took. */
  footer: string;
  /**
   * Set on a batch's card (then `deploymentId` is 0): the batch id, for buttons and the card cache, and
   * one row per machine, most urgent first (see {@link buildBatchCard}); adapters show as many rows as
   * fit their limits with {@link fitRows}.
   */
  batch?: { id: number; rows: string[] };
}

/** What a card shows beyond the deployment row. */
export interface CardContext {
  /** The catalog's display name of the OS (`Windows Server 2025`). */
  imageName: string;
  /** The edition's label (`Standard (Desktop Experience)`), when the OS has editions. */
  editionLabel?: string | null;
  /** The accepted decision, if any: `{verdict: 'approve', actorName: 'bob'}`. */
  decision?: { verdict: string; actorName: string; reason?: string | null } | null;
  /** The platform's "how to approve" sentence. */
  approvalHint?: string;
}

const DEFAULT_HINT = 'React ✅ to approve or ❌ to reject.';

/** Builds the card of a deployment in its current state. */
export function buildCard(d: Deployment, ctx: CardContext): CardModel {
  const osValue = d.edition ? `${ctx.imageName} · ${ctx.editionLabel ?? d.edition}` : ctx.imageName;
  const profile =
    d.profile === 'auto' && d.resolvedProfile
      ? `auto → ${profileLabel(d.resolvedProfile)}`
      : profileLabel(d.profile);
  return {
    deploymentId: d.id,
    title: `Deployment #${d.id}: ${ctx.imageName} → ${d.hostname}`,
    status: d.status,
    statusLine: statusLine(d, ctx),
    tone: tone(d.status),
    fields: [
      { label: 'Requested by', value: d.requestedBy.name },
      { label: 'MAC', value: d.mac },
      { label: 'OS', value: osValue },
      { label: 'Hostname', value: d.hostname },
      { label: 'Profile', value: profile },
      ...powerField(d),
    ],
    progress: ['booting', 'installing', 'configuring'].includes(d.status) ? d.progress : null,
    awaitingDecision: d.status === 'pending_approval',
    footer: footer(d, ctx),
  };
}

function statusLine(d: Deployment, ctx: CardContext): string {
  const { emoji, label } = STATE_LABELS[d.status];
  const by = ctx.decision ? ` by ${ctx.decision.actorName}` : '';
  switch (d.status) {
    case 'booting':
    case 'installing':
    case 'configuring': {
      const stage =
        d.stage && d.stage !== d.status && d.stage !== 'booting' ? stageLabel(d.stage).label : null;
      const pct = d.progress !== null && d.status !== 'booting' ? ` ${d.progress}%` : '';
      return `${emoji} ${label}${stage ? ` — ${stage}` : ''}${pct}`;
    }
    case 'done':
      return `${emoji} Done in ${formatDuration(runTime(d))}`;
    case 'failed':
      return `${emoji} Failed — ${d.failureReason ?? 'no reason given'}`;
    case 'rejected':
      return `${emoji} Rejected${by}${ctx.decision?.reason ? `: ${ctx.decision.reason}` : ''}`;
    case 'expired':
      return `${emoji} Expired — nobody approved it in time`;
    case 'cancelled':
      return `${emoji} Cancelled — ${d.failureReason ?? 'cancelled'}`;
    default:
      return `${emoji} ${label}`;
  }
}

function footer(d: Deployment, ctx: CardContext): string {
  if (d.status === 'pending_approval') {
    const at = d.expiresAt.toISOString();
    return `${ctx.approvalHint ?? DEFAULT_HINT} Expires ${at.slice(0, 10)} ${at.slice(11, 16)} UTC if nobody decides.`;
  }
  const decided = ctx.decision?.verdict === 'approve' ? `Approved by ${ctx.decision.actorName}` : null;
  if (d.status === 'done' || d.status === 'failed' || (d.status === 'cancelled' && d.approvedAt)) {
    return [decided, formatPhases(phases(d))].filter(Boolean).join(' · ');
  }
  if (d.status === 'approved' && d.stage === 'power_failed')
    return `${decided ?? 'Approved'}. The BMC could not power it on: power it on by hand (see the thread); it PXE-boots into the installer.`;
  if (d.status === 'approved' && (d.stage === 'power_on' || d.stage === 'power_cycle'))
    return `${decided ?? 'Approved'}. Powered on through its BMC: it PXE-boots into the installer.`;
  if (d.status === 'approved' && d.stage === 'power_pxe')
    return `${decided ?? 'Approved'}. PXE once set through its BMC; powering it on.`;
  if (d.status === 'approved')
    return `${decided ?? 'Approved'}. Power the machine on: it PXE-boots into the installer.`;
  return decided ?? '';
}

/** The power state while the approval's power sequence runs (core/power/power-sequence.ts). */
function powerField(d: Deployment): CardField[] {
  if (d.status !== 'approved' || !isPowerStage(d.stage)) return [];
  const value = {
    power_pxe: '⚡ PXE once set, powering on',
    power_on: '⚡ on (powered on by the BMC)',
    power_cycle: '⚡ on (power cycled by the BMC)',
    power_failed: '⚠️ BMC failed: power it on by hand',
  }[d.stage];
  return [{ label: 'Power', value }];
}

function tone(status: DeploymentState): CardModel['tone'] {
  switch (status) {
    case 'pending_approval':
      return 'pending';
    case 'done':
      return 'success';
    case 'failed':
      return 'failure';
    case 'rejected':
    case 'expired':
    case 'cancelled':
      return 'neutral';
    default:
      return 'running';
  }
}

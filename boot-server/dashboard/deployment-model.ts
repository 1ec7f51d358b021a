import { IsolationLevel } from '@mikro-orm/core';
import { formatPhases, phases, runTime } from '../../chat/messages/durations.js';
import { firmwareLabel, profileLabel } from '../../chat/messages/labels.js';
import type { ChatRef } from '../../core/chat/chat-ref.entity.js';
import { ChatRefRepository } from '../../core/chat/chat-ref-repository.js';
import type { Config } from '../../core/config/index.js';
import type { Deployment } from '../../core/deployments/deployment.entity.js';
import { DeploymentRepository } from '../../core/deployments/deployment-repository.js';
import { isActive } from '../../core/deployments/lifecycle.js';
import { MachineRepository } from '../../core/machines/machine-repository.js';
import { PowerRun } from '../../core/power/power-run.entity.js';
import type { BootServerDeps } from '../deps.js';
import { scriptFor } from '../routes/machine-ipxe.js';
import { bmcLabel } from './machines-model.js';

export interface DeploymentModel {
  now: Date;
  d: Deployment;
  /** Firmware and SMBIOS maker/product the machine reported, once it booted. */
  hardware: string | null;
  profile: string;
  /**
   * Provenance: the operator versions of templates it renders with (`windows/autounattend.xml v3`), or
   * `built-in` when all are shipped files; null until its install script was first rendered.
   */
  templates: string | null;
  active: boolean;
  canDecide: boolean;
  phases: { label: string; ms: number }[];
  phasesText: string;
  runMs: number;
  events: {
    id: string;
    stage: string;
    message: string | null;
    progress: number | null;
    source: string;
    state: string | null;
    receivedAt: Date;
    /** Time since the event before it (the first: since the request). */
    sinceMs: number;
  }[];
  decisions: {
    verdict: string;
    accepted: boolean;
    reason: string | null;
    who: string;
    platform: string;
    decidedAt: Date;
  }[];
  ipxe: { outcome: string; script: string; otherDeploymentId: number | null; error: string | null };
  chat: { platform: string; where: string; url: string | null }[];
  /** The inventory machine with this MAC, its BMC, and where the power sequence stands. */
  machine: { name: string; bmc: string | null; power: string | null } | null;
}

/** Everything the page of one deployment shows. */
export async function loadDeployment(
  deps: BootServerDeps,
  id: number,
  now = new Date(),
): Promise<DeploymentModel> {
  const { core } = deps;
  // One snapshot: the state in the header and the last line of the timeline always agree.
  const { d, events, decisions, refs, machine, power } = await core.orm.em.fork().transactional(
    async (em) => {
      const repo = new DeploymentRepository(em);
      const d = await repo.get(id);
      const events = await repo.events(id);
      const decisions = await repo.decisions(id);
      const refs = await new ChatRefRepository(em).forDeployment(id);
      const machine = await new MachineRepository(em).findByMac(d.mac);
      const power = await em.findOne(PowerRun, { deploymentId: id });
      return { d, events, decisions, refs, machine, power };
    },
    { isolationLevel: IsolationLevel.REPEATABLE_READ, readOnly: true },
  );
  const current = await core.deployments.activeByMac(d.mac);
  let previous = d.createdAt.getTime();
  const list = phases(d, d.finishedAt ?? now);
  return {
    now,
    d,
    hardware: d.boot
      ? [firmwareLabel(d.boot.platform), [d.boot.manufacturer, d.boot.product].filter(Boolean).join(' ')]
          .filter(Boolean)
          .join(' · ')
      : null,
    profile: d.resolvedProfile ? profileLabel(d.resolvedProfile) : profileLabel(d.profile),
    templates: templatesText(d),
    active: isActive(d.status),
    canDecide: d.status === 'pending_approval',
    phases: list,
    phasesText: formatPhases(list),
    runMs: runTime(d, d.finishedAt ?? now),
    events: events.map((e) => {
      const at = e.receivedAt.getTime();
      const sinceMs = at - previous;
      previous = at;
      return {
        id: e.id,
        stage: e.stage,
        message: e.message,
        progress: e.progress,
        source: e.source,
        state: e.state,
        receivedAt: e.receivedAt,
        sinceMs,
      };
    }),
    decisions: decisions.map((x) => ({
      verdict: x.verdict,
      accepted: x.accepted,
      reason: x.reason,
      who: x.actorName,
      platform: x.actorPlatform,
      decidedAt: x.decidedAt,
    })),
    ipxe: await previewIpxe(deps, d, current),
    chat: refs.map((r) => chatLink(r, core.config)),
    machine: machine
      ? {
          name: machine.name,
          bmc: bmcLabel(machine),
          power: power
            ? `${power.step.replace('_', ' ')}${power.powerBefore ? ` (was ${power.powerBefore})` : ''}${power.error ? `: ${power.error}` : ''}`
            : null,
        }
      : null,
  };
}

/** What `GET /ipxe/:mac` would answer this machine now, without recording anything. */
async function previewIpxe(deps: BootServerDeps, d: Deployment, current: Deployment | null) {
  try {
    const { outcome, script } = await scriptFor(
      { mac: d.mac, deployment: current, bootInfo: d.boot ?? {} },
      deps,
      { preview: true },
    );
    return {
      outcome,
      script,
      otherDeploymentId: current && current.id !== d.id ? current.id : null,
      error: null,
    };
  } catch (error) {
    return { outcome: 'error', script: '', otherDeploymentId: null, error: (error as Error).message };
  }
}

/** A link into the deployment's thread where the platform has stable web links. */
function chatLink(ref: ChatRef, config: Config): DeploymentModel['chat'][number] {
  if (ref.platform === 'discord') {
    const guild = config.DISCORD_GUILD_ID;
    const target = ref.threadId ?? ref.channelId;
    return {
      platform: 'Discord',
      where: ref.threadId ? 'thread' : 'channel',
      url: guild && /^\d+$/.test(target) ? `https://discord.com/channels/${guild}/${target}` : null,
    };
  }
  if (ref.platform === 'slack') {
    const ts = ref.cardMessageId?.split('/')[1];
    const ok = /^[A-Z0-9]+$/.test(ref.channelId) && ts && /^\d+\.\d+$/.test(ts);
    return {
      platform: 'Slack',
      where: 'thread',
      url: ok ? `https://slack.com/archives/${ref.channelId}/p${ts!.replace('.', '')}` : null,
    };
  }
  return { platform: 'Shell', where: 'console', url: null };
}

function templatesText(d: Deployment): string | null {
  if (!d.templates) return null;
  const operator = Object.entries(d.templates)
    .filter(([, pin]) => pin.version > 0)
    .map(([name, pin]) => `${pin.name === name ? name : pin.name} v${pin.version}`);
  return operator.length ? `${operator.join(', ')}; the rest built-in` : 'built-in';
}

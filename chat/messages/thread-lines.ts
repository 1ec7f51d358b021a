import type { Deployment } from '../../core/deployments/deployment.entity.js';
import type { DeploymentEvent } from '../../core/deployments/deployment-event.entity.js';
import { isTerminal } from '../../core/deployments/lifecycle.js';
import { isStageName, STAGES } from '../../core/deployments/stages.js';
import { POWER_STAGES } from '../../core/power/power-stages.js';
import type { MessagePriority } from '../message-priority.js';
import { formatDuration, formatPhases, phases, runTime } from './durations.js';
import { firmwareLabel, priorityOfState, profileLabel, stageLabel } from './labels.js';

/** What one event says in the thread, or `null` when it only changes the card (progress, pre-approval). */
export interface ThreadLine {
  eventId: string;
  text: string;
  priority: MessagePriority;
}

/** Facts a line needs beyond the deployment row. */
export interface LineContext {
  family: 'windows' | 'linux';
  /** The BMC driver that powers the machine on after approval (`ipmi`, `redfish`, `webhook`), if any. */
  bmc?: string | null;
}

const MAX_LINE = 300;
const BMC_LABELS: Record<string, string> = { redfish: 'Redfish', ipmi: 'IPMI', webhook: 'webhook' };
/** Start of a power step's line; consecutive ones read as one line (see {@link joinPowerLines}). */
export const POWER_MARK = '⚡ ';
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are exactly what we strip
const CONTROL = /[\u0000-\u001f\u007f]+/g;
/** Events that only ever change the card: nothing is in a thread before approval. */
const CARD_ONLY = new Set(['requested', 'rejected', 'expired']);

/**
 * The thread line of `event`, given the event before it (for "is this news or just progress?"):
 * a state change or a new stage gets a line; the same stage again with only a new percentage updates
 * the card instead, which is how 40→45→50% becomes one edit rather than three replies.
 */
export function threadLine(
  d: Deployment,
  event: DeploymentEvent,
  previous: DeploymentEvent | undefined,
  ctx: LineContext,
): ThreadLine | null {
  const text = lineText(d, event, previous, ctx);
  if (text === null) return null;
  const priority =
    event.stage === 'watchdog' || event.stage === 'cancelled'
      ? 'final'
      : event.stage === 'boot_retry'
        ? 'state'
        : priorityOfState(event.state);
  return { eventId: event.id, text, priority };
}

function lineText(
  d: Deployment,
  e: DeploymentEvent,
  prev: DeploymentEvent | undefined,
  ctx: LineContext,
): string | null {
  if (CARD_ONLY.has(e.stage)) return null;
  switch (e.stage) {
    case 'approved':
      return ctx.bmc
        ? `👍 ${sentence(e.message ?? 'approved')}. Powering the machine on into network boot through its BMC (${BMC_LABELS[ctx.bmc] ?? ctx.bmc}).`
        : `👍 ${sentence(e.message ?? 'approved')}. The machine may PXE-boot now: power it on or reboot it into network boot.`;
    case 'booting':
      return `🟢 Booting — ${bootDetails(d, e)}`;
    case 'watchdog':
      return `⏰ Failed: ${clean(e.message ?? 'no news for too long')}`;
    case 'power_pxe':
    case 'power_on':
    case 'power_cycle':
      return `${POWER_MARK}${sentence(e.message ?? POWER_STAGES[e.stage].label)}`;
    case 'power_failed':
      return `⚠️ ${sentence(e.message ?? 'power control failed: power the machine on by hand')}`;
    case 'boot_failed':
      // The boot script's own report: "web07 could not download … (404 Not Found) — gave up, booting from disk".
      return `❌ ${clean(e.message ?? 'the boot script gave up')}`;
    case 'boot_retry':
      return `⚠️ ${clean(e.message ?? 'the boot script gave up')}`;
    case 'cancelled':
      // Cancelled before approval: there is no thread, the card says it.
      return d.approvedAt ? `🚫 ${sentence(e.message ?? 'cancelled')}` : null;
  }
  if (e.state === 'done') {
    const ready = ctx.family === 'windows' ? 'RDP ready' : 'SSH ready';
    return `✅ Done in ${formatDuration(runTime(d))} — ${d.hostname}, ${ready}\n⏱ ${formatPhases(phases(d))}`;
  }
  if (e.state === 'failed') {
    const why = clean(e.message ?? d.failureReason ?? 'the installer reported a failure');
    return `❌ Failed after ${formatDuration(runTime(d))} — ${why}\n⏱ ${formatPhases(phases(d))}`;
  }
  const target = isStageName(e.stage) ? STAGES[e.stage].state : null;
  if (e.state === null && target && isTerminal(target)) {
    // A repeated or late final report: say so once, unless it repeats what already happened.
    return d.status === target
      ? null
      : `ℹ️ Late "${e.stage}" report ignored: the deployment is already ${d.status}`;
  }
  const news =
    e.state !== null || !prev || prev.stage !== e.stage || (e.message !== null && e.message !== prev.message);
  if (!news) return null;
  const { emoji, label } = stageLabel(e.stage);
  const pct = e.progress !== null ? ` ${e.progress}%` : '';
  return `${emoji} ${label}${pct}${e.message ? ` — ${clean(e.message)}` : ''}`;
}

/** `UEFI, KVM detected` or `BIOS, bare metal profile`. */
function bootDetails(d: Deployment, e: DeploymentEvent): string {
  const firmware = firmwareLabel(d.boot?.platform);
  // The boot server's event says which profile rule matched: `… (auto: rule 1 of kvm (manufacturer "QEMU"))`.
  const rule = /\(auto: rule \d+ of \S+ \((.+)\)\)$/.exec(e.message ?? '')?.[1];
  const why = rule
    ? ` by ${clean(rule)}`
    : /\(auto: no rule matched\)$/.test(e.message ?? '')
      ? ' (no rule matched)'
      : '';
  const profile =
    d.profile === 'auto'
      ? `${profileLabel(d.resolvedProfile)} detected${why}`
      : `${profileLabel(d.profile)} profile`;
  return `${firmware}, ${profile}`;
}

/** One line, no control characters, bounded: installer messages are untrusted free text. */
function clean(message: string): string {
  const flat = message.replace(CONTROL, ' ').replace(/\s+/g, ' ').trim();
  return flat.length > MAX_LINE ? `${flat.slice(0, MAX_LINE)}… (cut)` : flat;
}

function sentence(message: string): string {
  const flat = clean(message);
  return flat.charAt(0).toUpperCase() + flat.slice(1);
}

/**
 * Power steps posted together read as one line: `⚡ PXE once set via Redfish (UEFI), verified · power
 * cycled`. Other lines pass unchanged.
 */
export function joinPowerLines(lines: string[]): string[] {
  const out: string[] = [];
  for (const line of lines) {
    const last = out.at(-1);
    if (last?.startsWith(POWER_MARK) && line.startsWith(POWER_MARK) && !last.includes('\n')) {
      const rest = line.slice(POWER_MARK.length);
      // "Powered on" continues a sentence: lower-case its first word unless it is an acronym (PXE).
      const word = /^[A-Z][a-z]/.test(rest) ? rest.charAt(0).toLowerCase() + rest.slice(1) : rest;
      out[out.length - 1] = `${last} · ${word}`;
    } else out.push(line);
  }
  return out;
}

import type { MessagePriority } from '../../chat/chat-platform.js';
import { formatDuration, type Phase, phases, runTime } from '../../chat/messages/durations.js';
import { STATE_LABELS } from '../../chat/messages/labels.js';
import type { Deployment } from '../../core/deployments/deployment.entity.js';
import type { DeploymentEvent } from '../../core/deployments/deployment-event.entity.js';
import { isTerminal } from '../../core/deployments/lifecycle.js';
import { lineUrgency, type Plan, type PlannedMessage } from './plan.js';

const MAX_REASON = 200;
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are exactly what we strip
const CONTROL = /[\u0000-\u001f\u007f]+/g;
/** States whose events only change the card: nothing is in a batch's thread before approval. */
const CARD_ONLY_STAGES = new Set(['requested', 'rejected', 'expired', 'waiting', 'decision_refused']);

/**
 * Turns a batch's unposted events into digest messages for its one thread, in event order (so each
 * machine's lines stay in order): every state change within the run becomes a token of one line
 * (`web03 ✅ done · web07 ⚙️ installing`), the batch approval one sentence, and a failure a message of
 * its own with the machine and the reason. Installer stages and progress only change the card.
 */
export function planBatchThread(
  batchId: number,
  members: Map<number, Deployment>,
  events: DeploymentEvent[],
  maxLength: number,
): Plan {
  const messages: PlannedMessage[] = [];
  const cardOnly: string[] = [];
  const arrived = new Map(events.map((e) => [e.id, e.receivedAt.getTime()]));
  let tokens: { text: string; eventId: string; priority: MessagePriority }[] = [];
  const flush = () => {
    let current: typeof tokens = [];
    const emit = () => {
      if (!current.length) return;
      messages.push({
        message: {
          text: current.map((t) => t.text).join(' · '),
          key: `b${batchId}-e${current[0]!.eventId}-e${current.at(-1)!.eventId}`,
          priority: current.some((t) => t.priority === 'final') ? 'final' : 'state',
        },
        eventIds: current.map((t) => t.eventId),
        urgency: lineUrgency(current, arrived),
      });
      current = [];
    };
    for (const token of tokens) {
      const length = current.reduce((n, t) => n + t.text.length + 3, 0) + token.text.length;
      if (current.length && length > maxLength) emit();
      current.push(token);
    }
    emit();
    tokens = [];
  };
  const approved = events.filter((e) => !e.postedAt && e.state === 'approved' && members.has(e.deploymentId));
  let approvalPlanned = false;

  for (const e of events) {
    const d = members.get(e.deploymentId);
    if (e.postedAt || !d) continue;
    if (e.state === null || CARD_ONLY_STAGES.has(e.stage) || (e.state === 'cancelled' && !d.approvedAt)) {
      cardOnly.push(e.id);
      continue;
    }
    if (e.state === 'approved') {
      if (approvalPlanned) continue;
      approvalPlanned = true;
      flush();
      const first = clean(e.message ?? 'approved');
      messages.push({
        message: {
          text: `👍 ${first.charAt(0).toUpperCase()}${first.slice(1)}: ${approved.length} machine(s) may PXE-boot now.`.slice(
            0,
            maxLength,
          ),
          key: `b${batchId}-approved-e${approved[0]!.id}`,
          priority: 'state',
        },
        eventIds: approved.map((a) => a.id),
        urgency: { priority: 'state', since: approved[0]!.receivedAt.getTime() },
      });
      continue;
    }
    if (e.state === 'failed') {
      flush();
      const why = clean(e.message ?? d.failureReason ?? 'the installer reported a failure');
      messages.push({
        message: {
          text: `❌ ${d.hostname} #${d.id} failed after ${formatDuration(runTime(d))} — ${why}`.slice(
            0,
            maxLength,
          ),
          key: `b${batchId}-e${e.id}`,
          priority: 'final',
        },
        eventIds: [e.id],
        urgency: { priority: 'final', since: e.receivedAt.getTime() },
      });
      continue;
    }
    const { emoji } = STATE_LABELS[e.state];
    const word = e.state === 'configuring' ? 'first boot' : e.state;
    tokens.push({
      text: `${d.hostname} ${emoji} ${word}`,
      eventId: e.id,
      priority: isTerminal(e.state) ? 'final' : 'state',
    });
  }
  flush();
  return { messages, cardOnly };
}

/**
 * The closing message of a batch's thread: how many finished how, fastest and slowest, the median time
 * of each phase, and every failed machine with its reason.
 */
export function batchSummary(batchId: number, members: Deployment[], maxLength: number): string {
  const count = (s: string) => members.filter((m) => m.status === s).length;
  const ends = ['done', 'failed', 'cancelled', 'rejected', 'expired']
    .filter((s) => count(s))
    .map((s) => `${count(s)} ${s}`);
  const lines = [`🏁 Batch #${batchId} finished: ${ends.join(' · ')} of ${members.length}`];
  const done = members.filter((m) => m.status === 'done').sort((a, b) => runTime(a) - runTime(b));
  if (done.length) {
    const fast = done[0]!;
    const slow = done.at(-1)!;
    lines.push(
      `⏱ fastest ${fast.hostname} ${formatDuration(runTime(fast))} · slowest ${slow.hostname} ${formatDuration(runTime(slow))}`,
    );
    lines.push(`⏱ median per phase: ${medianPhases(done.map((d) => phases(d)))}`);
  }
  for (const f of members.filter((m) => m.status === 'failed')) {
    lines.push(`❌ ${f.hostname} #${f.id}: ${clean(f.failureReason ?? 'no reason given')}`);
  }
  let text = '';
  for (const [i, line] of lines.entries()) {
    const rest = lines.length - i;
    const tail = `\n… and ${rest} more line(s); see the card or GET /api/v1/batches/${batchId}`;
    if (text.length + line.length + 1 > maxLength - tail.length && i < lines.length) {
      return text + tail;
    }
    text += (text ? '\n' : '') + line;
  }
  return text;
}

function medianPhases(all: Phase[][]): string {
  const labels = [...new Set(all.flat().map((p) => p.label))].filter((l) => l !== 'approval');
  return labels
    .map((label) => {
      const values = all
        .flatMap((list) => list.filter((p) => p.label === label).map((p) => p.ms))
        .sort((a, b) => a - b);
      return `${label} ${formatDuration(values[Math.floor((values.length - 1) / 2)] ?? 0)}`;
    })
    .join(' · ');
}

function clean(message: string): string {
  const flat = message.replace(CONTROL, ' ').replace(/\s+/g, ' ').trim();
  return flat.length > MAX_REASON ? `${flat.slice(0, MAX_REASON)}… (cut)` : flat;
}

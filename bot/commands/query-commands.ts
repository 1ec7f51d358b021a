import type { ChatCommand, CommandReply } from '../../chat/chat-inbound.js';
import { cardFor } from '../../chat/messages/card-source.js';
import { cardLines } from '../../chat/messages/card-text.js';
import { formatDuration } from '../../chat/messages/durations.js';
import { STATE_LABELS, stageLabel } from '../../chat/messages/labels.js';
import type { Deployment } from '../../core/deployments/deployment.entity.js';
import { ACTIVE_STATES, TERMINAL_STATES } from '../../core/deployments/lifecycle.js';
import { NotFoundError } from '../../core/errors.js';
import { describeFile, fileLabel, type ImageReadiness } from '../../core/images/image-readiness.js';
import { parseMac } from '../../core/mac.js';
import type { CommandContext } from './command-context.js';
import { firstArgument, parseDeploymentId } from './parse-args.js';

const RECENT = 10;
const EVENTS_SHOWN = 12;

/** `/deployments`: every active deployment and the most recent finished ones, with state and age. */
export async function deploymentsCommand(ctx: CommandContext): Promise<CommandReply> {
  const repo = ctx.core.deployments.repository();
  const active = await repo.list({ states: [...ACTIVE_STATES], limit: 200 });
  const recent = await ctx.core.deployments
    .repository()
    .list({ states: [...TERMINAL_STATES], limit: RECENT });
  const now = ctx.now();
  const lines: string[] = [];
  lines.push(active.total ? `Active (${active.total}):` : 'No active deployments.');
  for (const d of active.items) lines.push(listLine(d, now));
  if (active.total > active.items.length) lines.push(`… and ${active.total - active.items.length} more`);
  if (recent.items.length) {
    lines.push('Recent:');
    for (const d of recent.items) lines.push(listLine(d, now));
  }
  return { ok: true, visibility: 'ephemeral', text: lines.join('\n') };
}

/** `#42 ⚙️ installing 45% · ws2025 → srv01 (00:15:5d:01:02:03) · by alice 12m 03s ago` */
function listLine(d: Deployment, now: Date): string {
  const { emoji } = STATE_LABELS[d.status];
  const pct = d.progress !== null && d.status === 'installing' ? ` ${d.progress}%` : '';
  const age = formatDuration(now.getTime() - d.createdAt.getTime());
  return `#${d.id} ${emoji} ${d.status.replace('_', ' ')}${pct} · ${d.os} → ${d.hostname} (${d.mac}) · by ${d.requestedBy.name} ${age} ago`;
}

const STATUS_USAGE = 'use /deploy-status <id or MAC>';

/** `/deploy-status <id|mac>`: the card and the latest events of one deployment. */
export async function statusCommand(ctx: CommandContext, cmd: ChatCommand): Promise<CommandReply> {
  const { arg } = firstArgument(cmd.text, cmd.options, STATUS_USAGE);
  const repo = ctx.core.deployments.repository();
  let d: Deployment | null;
  if (/^#?\d+$/.test(arg)) {
    d = await repo.get(parseDeploymentId(arg, STATUS_USAGE));
  } else {
    const mac = parseMac(arg);
    d = (await repo.findActiveByMac(mac)) ?? (await repo.findLatestByMac(mac));
    if (!d)
      throw new NotFoundError(
        `no deployment for ${mac} yet; start one with /deploy mac:${mac} os:<id>`,
        'deploy:not-found',
      );
  }
  const card = await cardFor(ctx.core.deployments, d, ctx.platform);
  const events = (await repo.events(d.id)).slice(-EVENTS_SHOWN);
  const lines = [...cardLines(card), 'Latest events:'];
  for (const e of events) {
    const { label } = stageLabel(e.stage);
    const pct = e.progress !== null ? ` ${e.progress}%` : '';
    lines.push(
      `${e.receivedAt.toISOString().slice(11, 19)} ${label}${pct}${e.message ? ` — ${e.message.slice(0, 120)}` : ''}`,
    );
  }
  return { ok: true, visibility: 'ephemeral', text: lines.join('\n'), card, deploymentId: d.id };
}

/** `/images`: the OS catalog. */
export async function imagesCommand(ctx: CommandContext): Promise<CommandReply> {
  const images = await ctx.core.deployments.images().list();
  if (!images.length)
    return {
      ok: true,
      visibility: 'ephemeral',
      text: 'The catalog is empty; add images with the admin API.',
    };
  const lines = await Promise.all(
    images.map(async (i) => {
      const editions = i.editions
        ? ` — editions: ${Object.keys(i.editions).sort().join(', ')} (default ${i.defaultEdition ?? Object.keys(i.editions)[0]})`
        : '';
      return `${i.id} · ${i.name}${editions}${readinessNote(await ctx.core.deployments.readiness(i))}`;
    }),
  );
  return {
    ok: true,
    visibility: 'ephemeral',
    text: ['OS images (use the id in /deploy os:<id>):', ...lines].join('\n'),
  };
}

const MISSING_SHOWN = 2;

/** ` · ✅ ready` or ` · ❌ missing: wimboot windows/wimboot, BCD windows/ws2025/BCD (+4 more)`. */
function readinessNote(readiness: ImageReadiness | null): string {
  if (!readiness) return '';
  if (readiness.ready) return ' · ✅ ready';
  const shown = readiness.missing
    .slice(0, MISSING_SHOWN)
    .map((f) => (f.path && f.state === 'missing' ? fileLabel(f) : describeFile(f)));
  const more = readiness.missing.length - shown.length;
  return ` · ❌ missing: ${shown.join(', ')}${more > 0 ? ` (+${more} more)` : ''}`;
}

import type { ChatCommand, CommandReply } from '../../chat/chat-inbound.js';
import { ValidationError } from '../../core/errors.js';
import { printable } from '../../core/mac.js';
import type { Machine } from '../../core/machines/machine.entity.js';
import { BmcError } from '../../core/power/power-driver.js';
import { actorOf, type CommandContext, checkApprover } from './command-context.js';

export const POWER_USAGE = '/power <machine> status|on|off|cycle';
const CHAT_ACTIONS = ['status', 'on', 'off', 'cycle'] as const;
const bad = (message: string) => new ValidationError(message, undefined, 'command:bad-arguments');

/**
 * `/power <machine> status|on|off|cycle`: the BMC of an inventory machine, outside any deployment.
 * `status` for anyone; changes for approvers only (checked now, failing closed), and core audits every
 * request, refused ones included, like decisions.
 */
export async function powerCommand(ctx: CommandContext, cmd: ChatCommand): Promise<CommandReply> {
  const { name, action } = powerArgs(cmd);
  const approver = action === 'status' ? false : await checkApprover(ctx, cmd.user);
  try {
    const outcome = await ctx.core.power.request(name, action, actorOf(cmd.platform, cmd.user), { approver });
    const notes = outcome.notes.length ? ` (${outcome.notes.join('; ')})` : '';
    const done = { on: 'powered on', off: 'powered off', cycle: 'power cycled', status: null }[action];
    return {
      ok: true,
      visibility: action === 'status' ? 'ephemeral' : 'public',
      text: done
        ? `⚡ ${outcome.machine} ${done} via ${outcome.driver} by ${cmd.user.name}; it is now ${outcome.power}${notes}.`
        : `⚡ ${outcome.machine} is ${outcome.power} (${outcome.driver})${notes}.`,
    };
  } catch (error) {
    if (error instanceof BmcError)
      return {
        ok: false,
        visibility: 'ephemeral',
        code: error.code,
        text: `⚠️ ${printable(name)}: the BMC failed (${error.code}): ${error.message}`,
      };
    throw error;
  }
}

function powerArgs(cmd: ChatCommand): { name: string; action: (typeof CHAT_ACTIONS)[number] } {
  const [name, action, ...extra] = cmd.options
    ? [cmd.options.machine, cmd.options.action].map((v) => (v === undefined ? undefined : String(v).trim()))
    : (cmd.text ?? '').trim().split(/\s+/).filter(Boolean);
  if (!name) throw bad(`which machine? ${POWER_USAGE}`);
  if (extra.length) throw bad(`too many words; ${POWER_USAGE}`);
  const wanted = (action ?? 'status').toLowerCase();
  if (!(CHAT_ACTIONS as readonly string[]).includes(wanted))
    throw bad(`"${printable(wanted)}" is not a power action; ${POWER_USAGE}`);
  return { name, action: wanted as (typeof CHAT_ACTIONS)[number] };
}

/** `/machines [tag]`: the inventory, one line per machine. */
export async function machinesCommand(ctx: CommandContext, cmd: ChatCommand): Promise<CommandReply> {
  const raw = String(cmd.options?.tag ?? cmd.text ?? '')
    .trim()
    .replace(/^tag[:=]/i, '');
  const tag = raw || undefined;
  if (tag && !/^[a-z0-9][a-z0-9._-]{0,31}$/i.test(tag))
    throw bad(`"${printable(tag)}" is not a tag; use /machines [tag]`);
  const { items, total } = await ctx.core.machines.repository().list({ tag, limit: 100 });
  if (!total)
    return {
      ok: true,
      visibility: 'ephemeral',
      text: tag
        ? `No machine is tagged ${tag}.`
        : 'The inventory is empty; add machines with PUT /api/v1/machines/<name> (see docs/power.md).',
    };
  const lines = items.map(machineLine);
  if (total > items.length) lines.push(`… and ${total - items.length} more`);
  return {
    ok: true,
    visibility: 'ephemeral',
    text: [
      `Machines${tag ? ` tagged ${tag}` : ''} (${total}; deploy with /deploy host:<name> os:<id>):`,
      ...lines,
    ].join('\n'),
  };
}

/** `web01 · 52:54:00:12:34:56 · redfish 10.1.2.3 · UEFI · rack12` — never a credential. */
function machineLine(m: Machine): string {
  const bmc = m.bmc && m.bmc.driver !== 'manual' ? `${m.bmc.driver} ${hostOf(m.bmc.address)}` : 'no BMC';
  const tags = m.tags.length ? ` · ${m.tags.join(', ')}` : '';
  return `${m.name} · ${m.mac} · ${bmc} · ${m.bootMode === 'uefi' ? 'UEFI' : 'legacy'}${tags}`;
}

function hostOf(address: string | null): string {
  if (!address) return '';
  try {
    return new URL(address).host;
  } catch {
    return address;
  }
}

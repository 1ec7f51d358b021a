import type { ChatCommand, ChatDecision, CommandReply } from '../../chat/chat-inbound.js';
import { NotFoundError } from '../../core/errors.js';
import { actorOf, type CommandContext, checkApprover } from './command-context.js';
import { firstArgument, parseDeploymentId } from './parse-args.js';

/**
 * ✅/❌ on a card, a button, or `/approve <id>` / `/reject <id> [reason]`. The approver check runs now,
 * on the platform, and fails closed; the core enforces the rest (self-approval, already decided) and
 * audits every attempt, refused ones included.
 */
export async function decide(
  ctx: CommandContext,
  d: ChatDecision,
  reason?: string | null,
): Promise<CommandReply> {
  const target: { deploymentId: number } | { batchId: number } = d.batchId
    ? { batchId: d.batchId }
    : d.deploymentId
      ? { deploymentId: d.deploymentId }
      : await cardTarget(ctx, d);
  const approver = await checkApprover(ctx, d.user);
  const actor = actorOf(d.platform, d.user);
  if ('batchId' in target) {
    const batchId = target.batchId;
    const batch = await ctx.core.batches[d.verdict](batchId, actor, { approver }, reason ?? undefined);
    const what = `batch #${batchId} (${batch.size} machines)`;
    return {
      ok: true,
      visibility: 'ephemeral',
      text: d.verdict === 'approve' ? `✅ You approved ${what}.` : `❌ You rejected ${what}.`,
    };
  }
  const id = target.deploymentId;
  if (d.verdict === 'approve') {
    await ctx.core.deployments.approve(id, actor, { approver });
    return {
      ok: true,
      visibility: 'ephemeral',
      deploymentId: id,
      text: `✅ You approved deployment #${id}.`,
    };
  }
  await ctx.core.deployments.reject(id, actor, { approver }, reason ?? undefined);
  return { ok: true, visibility: 'ephemeral', deploymentId: id, text: `❌ You rejected deployment #${id}.` };
}

/**
 * The deployment or batch of the card a reaction is on. The card's id is stored right after the platform
 * accepted the card, so a reaction in that instant is looked up again a few times before it is refused.
 */
async function cardTarget(
  ctx: CommandContext,
  d: ChatDecision,
): Promise<{ deploymentId: number } | { batchId: number }> {
  for (const pause of [100, 200, 400, 0]) {
    const ref = d.cardMessageId ? await ctx.refs().findByCardMessage(d.platform, d.cardMessageId) : null;
    if (ref) return { deploymentId: ref.deploymentId };
    const batchRef = d.cardMessageId
      ? await ctx.core.batches.repository().findByCardMessage(d.platform, d.cardMessageId)
      : null;
    if (batchRef) return { batchId: batchRef.batchId };
    if (!d.cardMessageId || !pause) break;
    await new Promise((resolve) => setTimeout(resolve, pause));
  }
  throw new NotFoundError('that message is not a deployment card', 'chat:not-a-card');
}

/** `/approve <id>` and `/reject <id> [reason]` typed as commands (the shell's ✅/❌). */
export function decisionCommand(
  ctx: CommandContext,
  cmd: ChatCommand,
  verdict: 'approve' | 'reject',
): Promise<CommandReply> {
  const usage = `use /${verdict} <id>${verdict === 'reject' ? ' [reason]' : ''} (a batch: b<id>)`;
  const { arg, rest } = firstArgument(cmd.text, cmd.options, usage);
  const batch = /^b(\d{1,9})$/i.exec(arg);
  const target = batch ? { batchId: Number(batch[1]) } : { deploymentId: parseDeploymentId(arg, usage) };
  return decide(
    ctx,
    { platform: cmd.platform, user: cmd.user, verdict, ...target, context: cmd.context },
    rest,
  );
}

const CANCEL_USAGE = 'use /deploy-cancel <id> [reason]';

/** `/deploy-cancel <id> [reason]`: the requester or an approver stops a deployment in any active state. */
export async function cancelCommand(ctx: CommandContext, cmd: ChatCommand): Promise<CommandReply> {
  const { arg, rest } = firstArgument(cmd.text, cmd.options, CANCEL_USAGE);
  const id = parseDeploymentId(arg, CANCEL_USAGE);
  const approver = await checkApprover(ctx, cmd.user);
  const reason = rest ? rest.slice(0, 200) : undefined;
  await ctx.core.deployments.cancel(id, actorOf(cmd.platform, cmd.user), { approver }, reason);
  return { ok: true, visibility: 'ephemeral', deploymentId: id, text: `🚫 You cancelled deployment #${id}.` };
}

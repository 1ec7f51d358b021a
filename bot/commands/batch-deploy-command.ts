import type { ChatCommand, CommandReply } from '../../chat/chat-inbound.js';
import { imageOf } from '../../chat/messages/card-source.js';
import { formatClock } from '../../chat/messages/durations.js';
import type { CreatedBatch } from '../../core/batches/batch-service.js';
import { actorOf, type CommandContext } from './command-context.js';
import type { DeployPlan } from './deploy-targets.js';

/** Longest private message: under Discord's 2000 characters with room for its framing. */
const PRIVATE_CHUNK = 1800;

/**
 * `/deploy` with several targets: one batch, all or nothing, with one card in the channel (the notifier
 * posts it from the batch's chat reference) and the generated passwords privately to the requester.
 * A batch of one machine shows as a plain deployment card.
 */
export async function batchDeployCommand(
  ctx: CommandContext,
  cmd: ChatCommand,
  plan: Exclude<DeployPlan, { kind: 'single' }>,
): Promise<CommandReply> {
  const items = plan.kind === 'tag' ? await ctx.core.batches.itemsForTag(plan.tag) : plan.items;
  const created = await ctx.core.batches.create(
    { ...plan.shared, machines: items },
    actorOf(cmd.platform, cmd.user),
  );
  const { batch, deployments } = created;
  const channel = ctx.platform.defaultChannel ?? cmd.channelId;
  if (deployments.length === 1) await ctx.refs().claim(deployments[0]!.deployment.id, cmd.platform, channel);
  else await ctx.core.batches.repository().claim(batch.id, cmd.platform, channel);
  const image = await imageOf(ctx.core.deployments, batch.os);
  const passwordNote = await sendPasswords(ctx, cmd, created, image.family === 'windows');
  const names = deployments.map((d) => d.deployment.hostname);
  const shown = names.length > 3 ? `${names[0]} … ${names.at(-1)}` : names.join(', ');
  const expires = deployments[0]!.deployment.expiresAt;
  return {
    ok: true,
    visibility: 'ephemeral',
    text:
      `📝 Batch #${batch.id} requested: ${image.name}${batch.edition ? ` (${batch.edition})` : ''} on ` +
      `${deployments.length} machine(s) (${shown}). It needs an approver's ✅ on its card before ` +
      `${formatClock(expires, ctx.now())}.${passwordNote}`,
  };
}

/** The generated passwords, one line per machine, in as few private messages as fit. */
async function sendPasswords(
  ctx: CommandContext,
  cmd: ChatCommand,
  { batch, deployments }: CreatedBatch,
  windows: boolean,
): Promise<string> {
  const lines = deployments
    .filter((d) => d.password)
    .map(({ deployment: d, password }) => `#${d.id} ${d.hostname}: ${password}`);
  if (!lines.length) return '';
  const user = windows ? 'Administrator' : ctx.core.config.LINUX_USERNAME;
  const head = `🔑 Batch #${batch.id}, user ${user} — passwords shown only to you, only now:`;
  const chunks: string[] = [];
  let current = head;
  for (const line of lines) {
    if (current.length + line.length + 1 > PRIVATE_CHUNK) {
      chunks.push(current);
      current = `🔑 Batch #${batch.id} (continued):`;
    }
    current += `\n${line}`;
  }
  chunks.push(current);
  try {
    for (const chunk of chunks) await ctx.platform.sendPrivate(cmd.user, chunk, cmd.context);
    return ' The generated passwords were sent to you privately.';
  } catch (error) {
    ctx.core.logger.error(
      { err: error, batchId: batch.id },
      'could not send the generated passwords privately',
    );
    return ' The generated passwords could not be sent to you privately; cancel and request again.';
  }
}

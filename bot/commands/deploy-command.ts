import type { ChatCommand, CommandReply } from '../../chat/chat-inbound.js';
import { imageOf } from '../../chat/messages/card-source.js';
import { formatClock } from '../../chat/messages/durations.js';
import { batchDeployCommand } from './batch-deploy-command.js';
import { actorOf, type CommandContext } from './command-context.js';
import { planDeploy } from './deploy-targets.js';
import { deployOptions, parseDeployText } from './parse-args.js';

/**
 * `/deploy mac:…|host:… os:… [edition:…] [hostname:…] [profile:…]`: creates the request, records which channel
 * its card belongs in (the notifier posts the card from there), and tells the requester the generated
 * password privately. Nothing else ever sees the password.
 */
export async function deployCommand(ctx: CommandContext, cmd: ChatCommand): Promise<CommandReply> {
  const plan = planDeploy(cmd.options ? deployOptions(cmd.options) : parseDeployText(cmd.text));
  if (plan.kind !== 'single') return batchDeployCommand(ctx, cmd, plan);
  const { deployment: d, password } = await ctx.core.deployments.request(
    plan.request,
    actorOf(cmd.platform, cmd.user),
  );
  await ctx.refs().claim(d.id, cmd.platform, ctx.platform.defaultChannel ?? cmd.channelId);
  const image = await imageOf(ctx.core.deployments, d.os);
  let passwordNote = '';
  if (password) {
    const user = image.family === 'windows' ? 'Administrator' : ctx.core.config.LINUX_USERNAME;
    try {
      await ctx.platform.sendPrivate(
        cmd.user,
        `🔑 Deployment #${d.id} (${d.hostname}): user ${user}, password ${password} — shown only to you, only now.`,
        cmd.context,
      );
      passwordNote = ' The generated password was sent to you privately.';
    } catch (error) {
      ctx.core.logger.error(
        { err: error, deploymentId: d.id },
        'could not send the generated password privately',
      );
      passwordNote = ' The generated password could not be sent to you privately; cancel and request again.';
    }
  }
  const edition = d.edition ? ` (${d.edition})` : '';
  return {
    ok: true,
    visibility: 'ephemeral',
    deploymentId: d.id,
    text:
      `📝 Deployment #${d.id} requested: ${image.name}${edition} on ${d.mac} as ${d.hostname}. ` +
      `It needs an approver's ✅ before ${formatClock(d.expiresAt, ctx.now())}.${passwordNote}`,
  };
}

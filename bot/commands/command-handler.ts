import type { ChatCommand, ChatDecision, ChatInbound, CommandReply } from '../../chat/chat-inbound.js';
import type { ChatPlatform } from '../../chat/chat-platform.js';
import type { Core } from '../../core/create-core.js';
import { printable } from '../../core/mac.js';
import { type CommandContext, commandContext } from './command-context.js';
import { cancelCommand, decide, decisionCommand } from './decision-commands.js';
import { deployCommand } from './deploy-command.js';
import { errorReply } from './error-reply.js';
import { DEPLOY_BATCH_USAGE, DEPLOY_USAGE } from './parse-args.js';
import { machinesCommand, POWER_USAGE, powerCommand } from './power-commands.js';
import { deploymentsCommand, imagesCommand, statusCommand } from './query-commands.js';
import { templatesCommand } from './templates-command.js';

/** One line per command, for `/help` and for unknown commands. */
export const HELP = [
  `${DEPLOY_USAGE} — request an installation (several MACs: one batch, one approval)`,
  `${DEPLOY_BATCH_USAGE} — machines from the inventory`,
  '/deployments — active and recent deployments',
  '/deploy-status <id or MAC> — card and latest events of one deployment',
  '/deploy-cancel <id> [reason] — stop a deployment (requester or approver)',
  '/images — the OS catalog',
  '/machines [tag] — the machine inventory (deploy one with /deploy host:<name> os:<id>)',
  `${POWER_USAGE} — a machine's power through its BMC (status for anyone; changes for approvers)`,
  '/templates — template names and the versions in use (edit them through the admin API)',
  '/approve <id>, /reject <id> [reason] — decide a request (approvers; ✅/❌ on the card do the same; b<id> decides a whole batch)',
].join('\n');

type Handler = (ctx: CommandContext, cmd: ChatCommand) => Promise<CommandReply>;

const HANDLERS: Record<string, Handler> = {
  deploy: deployCommand,
  deployments: (ctx) => deploymentsCommand(ctx),
  'deploy-status': statusCommand,
  'deploy-cancel': cancelCommand,
  images: (ctx) => imagesCommand(ctx),
  machines: machinesCommand,
  power: powerCommand,
  templates: (ctx) => templatesCommand(ctx),
  approve: (ctx, cmd) => decisionCommand(ctx, cmd, 'approve'),
  reject: (ctx, cmd) => decisionCommand(ctx, cmd, 'reject'),
  help: async () => ({ ok: true, visibility: 'ephemeral', text: HELP }),
};

/**
 * The shared command layer every adapter calls (Hubot's `Robot`, minus the regexes): parses, checks,
 * calls the core, and turns every outcome, errors included, into a reply. Never throws.
 */
export function createCommandHandler(core: Core, platforms: ChatPlatform[]): ChatInbound {
  const contexts = new Map(platforms.map((p) => [p.name, commandContext(core, p)]));
  const contextOf = (name: string): CommandContext => {
    const ctx = contexts.get(name as ChatPlatform['name']);
    if (!ctx) throw new Error(`no chat platform named ${name} is running`);
    return ctx;
  };
  return {
    async command(cmd) {
      const name = cmd.name.replace(/^\//, '').toLowerCase();
      const handler = HANDLERS[name];
      if (!handler) {
        return {
          ok: false,
          visibility: 'ephemeral',
          code: 'command:unknown',
          text: `⚠️ I don't know /${printable(name)}. Commands:\n${HELP}`,
        };
      }
      try {
        return await handler(contextOf(cmd.platform), { ...cmd, name });
      } catch (error) {
        return errorReply(error, core.logger, { command: name, platform: cmd.platform, user: cmd.user.id });
      }
    },
    async decision(d: ChatDecision) {
      try {
        return await decide(contextOf(d.platform), d);
      } catch (error) {
        return errorReply(error, core.logger, { decision: d.verdict, platform: d.platform, user: d.user.id });
      }
    },
  };
}

import type { ChatPlatform, ChatUser, PlatformName } from '../../chat/chat-platform.js';
import { ChatRefRepository } from '../../core/chat/chat-ref-repository.js';
import type { Core } from '../../core/create-core.js';
import type { Actor } from '../../core/deployments/deployment.entity.js';

/** What every command handler gets: the core, the platform the command came from, the chat refs. */
export interface CommandContext {
  core: Core;
  platform: ChatPlatform;
  refs(): ChatRefRepository;
  now(): Date;
}

export function commandContext(core: Core, platform: ChatPlatform): CommandContext {
  return {
    core,
    platform,
    refs: () => new ChatRefRepository(core.orm.em.fork()),
    now: () => new Date(),
  };
}

/** The core's view of a chat user. */
export function actorOf(platform: PlatformName, user: ChatUser): Actor {
  return { platform, id: user.id, name: user.name };
}

/**
 * Asks the platform whether the user may approve. Fails closed: an error (a Discord API hiccup, an
 * unknown user group) means "no", so a broken check can never let a request through.
 */
export async function checkApprover(ctx: CommandContext, user: ChatUser): Promise<boolean> {
  try {
    return (await ctx.platform.isApprover(user)) === true;
  } catch (error) {
    ctx.core.logger.warn(
      { err: error, platform: ctx.platform.name, user: user.id },
      'approver check failed; treating as not an approver',
    );
    return false;
  }
}

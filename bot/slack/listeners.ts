import type { App, webApi } from '@slack/bolt';
import type { ChatInbound } from '../../chat/chat-inbound.js';
import type { ChatUser } from '../../chat/chat-platform.js';
import { APPROVE_EMOJI, REJECT_EMOJI, verdictOfEmoji } from '../../chat/verdicts.js';
import type { Logger } from '../../core/logger.js';
import type { Approvers } from './approvers.js';
import { APPROVE_ACTION, REJECT_ACTION } from './card-blocks.js';
import { unescapeSlack } from './escape.js';
import type { EventDedupe } from './event-dedupe.js';
import { cardMessageId } from './message-ids.js';
import { deliverReply } from './replies.js';
import type { ReplyContext } from './reply-context.js';
import type { UserNames } from './user-names.js';

/**
 * Slack names reactions by short name; the verdicts are the shared layer's, by emoji. Slack lets an app
 * remove only its own reactions, so a refused ✅ cannot be taken back here (Discord's adapter does):
 * the refusal reaches the person privately instead.
 */
export const EMOJI_OF_REACTION: Readonly<Record<string, string>> = {
  white_check_mark: APPROVE_EMOJI,
  x: REJECT_EMOJI,
};

export interface ListenerDeps {
  app: App;
  inbound: ChatInbound;
  client: webApi.WebClient;
  names: UserNames;
  approvers: Approvers;
  dedupe: EventDedupe;
  logger: Logger;
}

/** `/deploy help` reads as `/help`; every other command is its own name without the slash. */
export function commandName(command: string, text: string): string {
  const name = command.replace(/^\//, '').toLowerCase();
  return name === 'deploy' && text.trim().toLowerCase() === 'help' ? 'help' : name;
}

/**
 * Translates Slack's inbound traffic into the shared layer's calls. Slash commands and buttons are
 * acknowledged first (Slack gives up after 3 s), then handled, then answered through their response_url.
 * Listeners never throw: a failure is logged and the user hears about it when possible.
 */
export function registerListeners(deps: ListenerDeps): void {
  const { app, inbound, client, names, approvers, dedupe } = deps;
  const logger = deps.logger.child({ platform: 'slack' });

  app.command(/^\/.+/, async ({ command, ack, respond }) => {
    await ack();
    names.remember(command.user_id, command.user_name);
    const user: ChatUser = { id: command.user_id, name: command.user_name || command.user_id };
    const context: ReplyContext = { respond, channelId: command.channel_id };
    const text = unescapeSlack(command.text ?? '');
    const reply = await inbound.command({
      platform: 'slack',
      user,
      channelId: command.channel_id,
      name: commandName(command.command, text),
      text,
      context,
    });
    await deliverReply(client, logger, user, reply, context);
  });

  app.event('reaction_added', async ({ event, body, context }) => {
    const verdict = verdictOfEmoji(EMOJI_OF_REACTION[event.reaction] ?? '');
    // Cards are the bot's own messages; ✅ on anything else is ordinary chat. (Bolt's ignoreSelf already
    // dropped the bot's own ✅ and ❌.)
    const mine = !event.item_user || !context.botUserId || event.item_user === context.botUserId;
    if (!verdict || event.item.type !== 'message' || !mine) return;
    const eventId = body.event_id;
    if (!(await dedupe.claim(eventId))) {
      logger.info({ eventId, user: event.user }, 'redelivered reaction ignored');
      return;
    }
    try {
      const user: ChatUser = { id: event.user, name: await names.nameOf(event.user) };
      const context: ReplyContext = { channelId: event.item.channel };
      const reply = await inbound.decision({
        platform: 'slack',
        user,
        verdict,
        cardMessageId: cardMessageId(event.item.channel, event.item.ts),
        context,
      });
      // A reaction on one of the bot's other messages (a thread reply) is not a decision: stay quiet.
      if (reply.code === 'chat:not-a-card') {
        logger.debug(
          { eventId, channel: event.item.channel, ts: event.item.ts },
          'reaction on a message that is not a card',
        );
        return;
      }
      await deliverReply(client, logger, user, reply, context);
    } catch (error) {
      await dedupe.release(eventId);
      logger.error({ err: error, eventId }, 'reaction could not be handled');
    }
  });

  for (const [actionId, verdict] of [
    [APPROVE_ACTION, 'approve'],
    [REJECT_ACTION, 'reject'],
  ] as const) {
    app.action(actionId, async ({ ack, body, action, respond }) => {
      await ack();
      const value = 'value' in action ? String(action.value ?? '') : '';
      const m = /^(b?)(\d{1,9})$/.exec(value);
      if (!m || Number(m[2]) <= 0) return;
      const target = m[1] ? { batchId: Number(m[2]) } : { deploymentId: Number(m[2]) };
      const u = body.user as { id: string; username?: string; name?: string };
      const user: ChatUser = { id: u.id, name: u.username ?? u.name ?? (await names.nameOf(u.id)) };
      const context: ReplyContext = { respond, channelId: body.channel?.id };
      const reply = await inbound.decision({ platform: 'slack', user, verdict, ...target, context });
      await deliverReply(client, logger, user, reply, context);
    });
  }

  app.event('subteam_members_changed', async ({ event }) => {
    approvers.invalidate(event.subteam_id);
  });

  app.error(async (error) => {
    logger.error({ err: error }, 'Slack listener failed');
  });
}

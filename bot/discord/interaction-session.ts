import { type ButtonInteraction, type ChatInputCommandInteraction, MessageFlags } from 'discord.js';
import type { CommandReply } from '../../chat/chat-inbound.js';
import { fitText } from '../../chat/messages/text-fit.js';
import { renderCard } from './card-render.js';
import { toPlatformError } from './discord-errors.js';
import { plain } from './text-limits.js';

type Answerable = ChatInputCommandInteraction | ButtonInteraction;

/**
 * One command or button press, from "thinking…" to the last ephemeral message. It is the
 * `ChatCommand.context` the shared layer hands back to `sendPrivate`, which is how a generated password
 * reaches exactly the person who asked, and nobody else.
 *
 * Discord allows 3 s for the first answer, so every interaction is deferred at once (ephemeral) and
 * filled later: the first message edits the "thinking…" reply, any further one (the answer after a
 * password) is an ephemeral follow-up, so nothing overwrites what the user has not read yet.
 * @see https://discord.com/developers/docs/interactions/receiving-and-responding#followup-messages
 */
export class InteractionSession {
  private filled = false;

  constructor(readonly interaction: Answerable) {}

  /** Shows "thinking…" to the user only. False when Discord no longer knows the interaction (too late). */
  async defer(): Promise<boolean> {
    try {
      await this.interaction.deferReply({ flags: MessageFlags.Ephemeral });
      return true;
    } catch {
      return false;
    }
  }

  /**
   * Shows the shared layer's answer, only to the user (the deferral made it ephemeral; a `public` reply
   * is shown to the actor too, since everyone sees the card and thread anyway).
   */
  async reply(reply: CommandReply): Promise<void> {
    const content = fitText(plain(reply.text), 2000);
    const embeds = reply.card ? renderCard(reply.card).embeds : [];
    await this.send({ content, embeds });
  }

  /** A message for the user's eyes only (a generated password). Never logged, never in the channel. */
  async private(text: string): Promise<void> {
    await this.send({ content: fitText(plain(text), 2000), embeds: [] });
  }

  private async send(body: { content: string; embeds: ReturnType<typeof renderCard>['embeds'] }) {
    const allowedMentions = { parse: [] };
    try {
      if (this.filled) {
        await this.interaction.followUp({ ...body, allowedMentions, flags: MessageFlags.Ephemeral });
      } else {
        await this.interaction.editReply({ ...body, allowedMentions });
        this.filled = true;
      }
    } catch (error) {
      throw toPlatformError(error, 'answering an interaction');
    }
  }
}

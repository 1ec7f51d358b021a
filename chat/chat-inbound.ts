/**
 * What a platform adapter hands to the shared command layer, and what it gets back. Platform-neutral:
 * a Discord interaction, a Slack slash command and a shell line all become a {@link ChatCommand}; a ✅/❌
 * reaction or an Approve/Reject button becomes a {@link ChatDecision}.
 */

import type { ChatUser, PlatformName } from './chat-user.js';
import type { CardModel } from './messages/card.js';
import type { Verdict } from './verdicts.js';

/** Commands of the shared layer (names without the slash). */
export const COMMAND_NAMES = [
  'deploy',
  'deployments',
  'deploy-status',
  'deploy-cancel',
  'images',
  'machines',
  'power',
  'templates',
  'approve',
  'reject',
  'help',
] as const;
export type CommandName = (typeof COMMAND_NAMES)[number];

export interface ChatCommand {
  platform: PlatformName;
  user: ChatUser;
  /** Channel the command was typed in (the card goes there unless the platform has a `defaultChannel`). */
  channelId: string;
  /** Command name without the slash, e.g. `deploy`; unknown names get a help reply. */
  name: string;
  /**
   * The text after the command name as typed (Slack, shell): `mac:00:15:5d:01:02:03 os:ws2025`.
   * Ignored when `options` is given.
   */
  text?: string;
  /**
   * Options the platform already parsed (Discord slash command options): `{mac: '…', os: 'ws2025'}`;
   * for `deploy-status`/`deploy-cancel`/`approve`/`reject` the argument is `options.id` (or `options.target`).
   */
  options?: Record<string, string | number | undefined>;
  /** Opaque to the shared layer; handed back to `sendPrivate` (e.g. the Discord interaction). */
  context?: unknown;
}

/** ✅ or ❌ on a card (reaction or button). */
export interface ChatDecision {
  platform: PlatformName;
  user: ChatUser;
  verdict: Verdict;
  /** The deployment, when the adapter knows it (button payloads). */
  deploymentId?: number;
  /** The batch, when the button is on a batch's card. */
  batchId?: number;
  /** Otherwise the card message the reaction was on. */
  cardMessageId?: string;
  context?: unknown;
}

/**
 * The answer to show the actor. `ephemeral` means only the actor sees it (Discord ephemeral, Slack
 * `response_type: ephemeral`); `public` may be posted in the channel. Text is plain, like thread messages.
 */
export interface CommandReply {
  ok: boolean;
  visibility: 'ephemeral' | 'public';
  text: string;
  /** The error's stable code when `ok` is false (`deploy:not-approver`, `deploy:self-approval`, …). */
  code?: string;
  /** The deployment the command was about, when there is one. */
  deploymentId?: number;
  /** A card to show with the reply (`/deploy-status`). */
  card?: CardModel;
}

/** The shared handler every adapter calls. Never throws: every failure comes back as a reply. */
export interface ChatInbound {
  command(command: ChatCommand): Promise<CommandReply>;
  decision(decision: ChatDecision): Promise<CommandReply>;
}

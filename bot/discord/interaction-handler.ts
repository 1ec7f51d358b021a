import {
  type AutocompleteInteraction,
  type ButtonInteraction,
  type ChatInputCommandInteraction,
  GuildMember,
  type Interaction,
  type User,
} from 'discord.js';
import type { ChatInbound } from '../../chat/chat-inbound.js';
import type { ChatUser } from '../../chat/chat-platform.js';
import { clamp } from '../../chat/messages/text-fit.js';
import type { Logger } from '../../core/logger.js';
import { parseButtonId } from './card-render.js';
import type { DiscordDirectory } from './discord-directory.js';
import { InteractionSession } from './interaction-session.js';
import type { Members } from './members.js';

export interface InteractionDeps {
  inbound: ChatInbound;
  members: Members;
  logger: Logger;
  directory?: DiscordDirectory;
}

/**
 * Translates one interaction for the shared layer: slash commands become `ChatCommand`s, card buttons
 * `ChatDecision`s, and autocomplete is answered from the catalog. Never throws.
 */
export async function handleInteraction(deps: InteractionDeps, interaction: Interaction): Promise<void> {
  try {
    deps.members.remember(interaction.user.id, interaction.guildId);
    if (interaction.isAutocomplete()) await autocomplete(deps, interaction);
    else if (interaction.isChatInputCommand()) await command(deps, interaction);
    else if (interaction.isButton()) await button(deps, interaction);
  } catch (error) {
    deps.logger.warn({ err: error, interaction: interaction.id }, 'could not answer a Discord interaction');
  }
}

async function command(deps: InteractionDeps, interaction: ChatInputCommandInteraction): Promise<void> {
  const session = new InteractionSession(interaction);
  if (!(await session.defer())) return logLate(deps, interaction);
  const options: Record<string, string | number | undefined> = {};
  for (const o of interaction.options.data) {
    if (typeof o.value === 'string' || typeof o.value === 'number') options[o.name] = o.value;
  }
  const reply = await deps.inbound.command({
    platform: 'discord',
    user: chatUser(interaction),
    channelId: interaction.channelId,
    name: interaction.commandName,
    options,
    context: session,
  });
  await session.reply(reply);
}

async function button(deps: InteractionDeps, interaction: ButtonInteraction): Promise<void> {
  const parsed = parseButtonId(interaction.customId);
  if (!parsed) return;
  const session = new InteractionSession(interaction);
  if (!(await session.defer())) return logLate(deps, interaction);
  const reply = await deps.inbound.decision({
    platform: 'discord',
    user: chatUser(interaction),
    verdict: parsed.verdict,
    deploymentId: parsed.deploymentId,
    batchId: parsed.batchId,
    context: session,
  });
  await session.reply(reply);
}

/** `/deploy os:` offers catalog images, `edition:` the editions of the chosen image. */
async function autocomplete(deps: InteractionDeps, interaction: AutocompleteInteraction): Promise<void> {
  const focused = interaction.options.getFocused(true);
  const typed = String(focused.value).trim().toLowerCase();
  const images = deps.directory ? await deps.directory.images() : [];
  let choices: { name: string; value: string }[] = [];
  if (focused.name === 'os') {
    choices = images
      .filter((i) => matches(typed, i.id, i.name))
      .map((i) => ({ name: clamp(`${i.id} — ${i.name}`, 100), value: i.id }));
  } else if (focused.name === 'edition') {
    const os = (interaction.options.getString('os') ?? '').trim().toLowerCase();
    const image = images.find((i) => i.id === os);
    choices = (image?.editions ?? [])
      .filter((e) => matches(typed, e.id, e.label))
      .map((e) => ({ name: clamp(`${e.id} — ${e.label}`, 100), value: e.id }));
  }
  // Discord shows at most 25 choices.
  await interaction.respond(choices.slice(0, 25));
}

/** `ws` finds ws2025 (id) and `server` Windows Server 2025 (a word of the name), not Windows 11. */
function matches(typed: string, id: string, name: string): boolean {
  return (
    !typed ||
    id.includes(typed) ||
    name
      .toLowerCase()
      .split(/[\s()/-]+/)
      .some((w) => w.startsWith(typed))
  );
}

/** Who acted, with the name the guild shows for them. */
function chatUser(interaction: ChatInputCommandInteraction | ButtonInteraction): ChatUser {
  return { id: interaction.user.id, name: nameOf(interaction.member, interaction.user) };
}

function nameOf(member: Interaction['member'], user: User): string {
  if (member instanceof GuildMember) return member.displayName;
  return member?.nick ?? user.globalName ?? user.username;
}

function logLate(deps: InteractionDeps, interaction: Interaction): void {
  deps.logger.warn(
    { interaction: interaction.id, ageMs: Date.now() - interaction.createdTimestamp },
    'Discord interaction could not be acknowledged in time; the user saw "did not respond"',
  );
}

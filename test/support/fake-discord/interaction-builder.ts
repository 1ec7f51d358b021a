import { randomBytes } from 'node:crypto';
import {
  type APIApplicationCommand,
  ApplicationCommandType,
  ComponentType,
  GatewayDispatchEvents,
  InteractionType,
} from 'discord-api-types/v10';
import { buildCommandOptions, type OptionValues } from './command-options.js';
import type { FakeContext } from './context.js';
import { apiChannel, apiInteractionMember, apiMessage, memberPermissions } from './payloads.js';
import type { FakeInteraction } from './state.js';

/** What a user does that makes Discord send INTERACTION_CREATE. Users and channels by id or name. */
export type SendInteractionOptions =
  | {
      kind: 'command';
      name: string;
      subcommand?: string;
      options?: OptionValues;
      user: string;
      channel?: string;
    }
  | {
      kind: 'autocomplete';
      name: string;
      subcommand?: string;
      options: OptionValues;
      focused: string;
      user: string;
      channel?: string;
    }
  | { kind: 'button'; customId: string; messageId: string; user: string }
  | { kind: 'select'; customId: string; messageId: string; values: string[]; user: string }
  | {
      kind: 'modal';
      customId: string;
      fields: Record<string, string>;
      user: string;
      channel?: string;
      messageId?: string;
    };

/** Builds, records and dispatches an interaction; returns its record, which fills in as the bot answers. */
export function sendInteraction(ctx: FakeContext, o: SendInteractionOptions): FakeInteraction {
  const { state, config } = ctx;
  const userId = resolveUser(ctx, o.user);
  const message = 'messageId' in o && o.messageId ? state.messageById.get(o.messageId) : undefined;
  if ('messageId' in o && o.messageId && !message) throw new Error(`fake-discord: no message ${o.messageId}`);
  const channelId = message?.channelId ?? resolveChannel(ctx, 'channel' in o ? o.channel : undefined);
  const id = ctx.nextId();
  const token = `aW50ZXJhY3Rpb246${id}:${randomBytes(48).toString('base64url')}`;
  const { type, data, name } = interactionData(ctx, o, message?.components ?? []);
  const record: FakeInteraction = {
    id,
    token,
    type,
    name,
    channelId,
    userId,
    createdAt: Date.now(),
    responses: [],
    originalMessageId: message?.id ?? null,
    followupMessageIds: [],
    choices: null,
    tokenExpired: false,
    payload: {},
  };
  state.interactions.set(id, record);
  const channel = state.channels.get(channelId)!;
  record.payload = {
    id,
    application_id: config.applicationId,
    type,
    data,
    token,
    version: 1,
    guild_id: config.guildId,
    guild: { id: config.guildId, locale: 'en-US', features: [] },
    channel_id: channelId,
    channel: apiChannel(state, channel),
    member: apiInteractionMember(state, config.guildId, userId),
    app_permissions: memberPermissions(state, config.guildId, config.applicationId).toString(),
    locale: 'en-US',
    guild_locale: 'en-US',
    entitlements: [],
    authorizing_integration_owners: { 0: config.guildId },
    context: 0,
    attachment_size_limit: 10_485_760,
    ...(message ? { message: apiMessage(state, message, config.applicationId) } : {}),
  };
  ctx.gateway.dispatch(GatewayDispatchEvents.InteractionCreate, record.payload);
  state.changed('interaction:create');
  return record;
}

function interactionData(
  ctx: FakeContext,
  o: SendInteractionOptions,
  components: unknown[],
): { type: InteractionType; data: Record<string, unknown>; name: string } {
  switch (o.kind) {
    case 'command':
    case 'autocomplete': {
      const command = findCommand(ctx, o.name);
      const focused = o.kind === 'autocomplete' ? o.focused : undefined;
      const built = buildCommandOptions(
        ctx.state,
        ctx.config.guildId,
        command,
        o.options ?? {},
        o.subcommand,
        focused,
      );
      return {
        type:
          o.kind === 'command'
            ? InteractionType.ApplicationCommand
            : InteractionType.ApplicationCommandAutocomplete,
        name: o.name,
        data: {
          id: command.id,
          name: command.name,
          type: ApplicationCommandType.ChatInput,
          ...(command.guild_id ? { guild_id: command.guild_id } : {}),
          ...built,
        },
      };
    }
    case 'button':
    case 'select': {
      const component = findComponent(components, o.customId);
      if (!component)
        throw new Error(`fake-discord: message ${o.messageId} has no component "${o.customId}"`);
      if (component.disabled) throw new Error(`fake-discord: component "${o.customId}" is disabled`);
      const data: Record<string, unknown> = { custom_id: o.customId, component_type: component.type };
      if (o.kind === 'select') data.values = o.values;
      return { type: InteractionType.MessageComponent, name: o.customId, data };
    }
    case 'modal':
      return {
        type: InteractionType.ModalSubmit,
        name: o.customId,
        data: {
          custom_id: o.customId,
          components: Object.entries(o.fields).map(([customId, value]) => ({
            type: ComponentType.ActionRow,
            components: [{ type: ComponentType.TextInput, custom_id: customId, value }],
          })),
        },
      };
  }
}

function findCommand(ctx: FakeContext, name: string): APIApplicationCommand {
  const all = [...(ctx.state.commands.guild.get(ctx.config.guildId) ?? []), ...ctx.state.commands.global];
  const command = all.find((c) => c.name === name && c.type === ApplicationCommandType.ChatInput);
  // Users can only invoke registered commands, so an unregistered one is a test or adapter bug.
  if (!command) throw new Error(`fake-discord: /${name} is not registered (PUT the command set first)`);
  return command;
}

interface LooseComponent {
  type: number;
  custom_id?: string;
  disabled?: boolean;
  components?: LooseComponent[];
  accessory?: LooseComponent;
}

function findComponent(components: unknown[], customId: string): LooseComponent | undefined {
  for (const c of components as LooseComponent[]) {
    if (c.custom_id === customId) return c;
    const inner = findComponent([...(c.components ?? []), ...(c.accessory ? [c.accessory] : [])], customId);
    if (inner) return inner;
  }
  return undefined;
}

/** A user id, or the username of a configured member. */
export function resolveUser(ctx: FakeContext, idOrName: string): string {
  if (ctx.state.members.has(idOrName)) return idOrName;
  const user = [...ctx.state.users.values()].find((u) => u.username === idOrName);
  if (!user || !ctx.state.members.has(user.id)) throw new Error(`fake-discord: no member "${idOrName}"`);
  return user.id;
}

/** A channel or thread id or name; defaults to the first text channel. */
export function resolveChannel(ctx: FakeContext, idOrName?: string): string {
  const channels = [...ctx.state.channels.values()];
  const channel =
    idOrName === undefined
      ? channels.find((c) => c.type === 0)
      : (ctx.state.channels.get(idOrName) ?? channels.find((c) => c.name === idOrName));
  if (!channel) throw new Error(`fake-discord: no channel "${idOrName ?? '(text)'}"`);
  return channel.id;
}

import {
  type APIApplicationCommand,
  type APIApplicationCommandOption,
  ApplicationCommandOptionType as T,
} from 'discord-api-types/v10';
import { apiChannel, apiInteractionMember, apiRole, apiUser } from './payloads.js';
import type { FakeDiscordState } from './state.js';

/** Option values as a test writes them: `{ mac: '00:15:5d:01:02:03', os: 'ws2025' }`. */
export type OptionValues = Record<string, string | number | boolean>;

interface BuiltOption {
  name: string;
  type: T;
  value?: string | number | boolean;
  focused?: boolean;
  options?: BuiltOption[];
}

/**
 * Builds `data.options` (and `resolved`) the way the Discord client would from a registered command,
 * refusing what a user could not type: unknown options, missing required ones, values outside choices.
 * `focused` names the option being typed in an autocomplete request (its value may be partial).
 */
export function buildCommandOptions(
  state: FakeDiscordState,
  guildId: string,
  command: APIApplicationCommand,
  values: OptionValues,
  subcommand?: string,
  focused?: string,
): { options: BuiltOption[]; resolved?: Record<string, Record<string, unknown>> } {
  let defs = (command.options ?? []) as APIApplicationCommandOption[];
  const wrap: Array<(inner: BuiltOption[]) => BuiltOption[]> = [];
  for (const part of subcommand ? subcommand.split(' ') : []) {
    const def = defs.find(
      (d) => d.name === part && (d.type === T.Subcommand || d.type === T.SubcommandGroup),
    );
    if (!def) throw new Error(`fake-discord: /${command.name} has no subcommand "${part}"`);
    wrap.push((inner) => [{ name: def.name, type: def.type, options: inner }]);
    defs = ('options' in def ? def.options : []) as APIApplicationCommandOption[];
  }
  const resolved: Record<string, Record<string, unknown>> = {};
  const options: BuiltOption[] = [];
  for (const [name, raw] of Object.entries(values)) {
    const def = defs.find((d) => d.name === name);
    if (!def) throw new Error(`fake-discord: /${command.name} has no option "${name}"`);
    const isFocused = name === focused;
    const value = isFocused ? String(raw) : coerce(command.name, def, raw);
    if (!isFocused) resolve(state, guildId, def.type, String(value), resolved);
    options.push({ name, type: def.type, value, ...(isFocused ? { focused: true } : {}) });
  }
  if (focused === undefined) {
    for (const def of defs) {
      if ('required' in def && def.required && !(def.name in values)) {
        throw new Error(`fake-discord: /${command.name} requires option "${def.name}"`);
      }
    }
  }
  const nested = wrap.reduceRight((inner, w) => w(inner), options);
  return { options: nested, ...(Object.keys(resolved).length > 0 ? { resolved } : {}) };
}

function coerce(commandName: string, def: APIApplicationCommandOption, raw: string | number | boolean) {
  const fail = (why: string) => new Error(`fake-discord: /${commandName} option "${def.name}" ${why}`);
  let value: string | number | boolean;
  switch (def.type) {
    case T.Integer:
      value = Number(raw);
      if (!Number.isInteger(value)) throw fail('must be an integer');
      break;
    case T.Number:
      value = Number(raw);
      if (Number.isNaN(value)) throw fail('must be a number');
      break;
    case T.Boolean:
      value = raw === true || raw === 'true';
      break;
    default:
      value = String(raw);
  }
  const choices = 'choices' in def ? def.choices : undefined;
  if (choices && choices.length > 0 && !choices.some((c) => c.value === value)) {
    throw fail(`must be one of ${choices.map((c) => c.value).join(', ')}`);
  }
  return value;
}

/** Discord sends the objects behind user, role and channel options in `resolved`. */
function resolve(
  state: FakeDiscordState,
  guildId: string,
  type: T,
  id: string,
  resolved: Record<string, Record<string, unknown>>,
): void {
  const put = (bag: string, value: unknown) => {
    resolved[bag] ??= {};
    resolved[bag]![id] = value;
  };
  const user = state.users.get(id);
  const role = state.roles.get(id);
  const channel = state.channels.get(id);
  if ((type === T.User || type === T.Mentionable) && user) {
    put('users', apiUser(user));
    if (state.members.has(id)) {
      const { user: _u, ...member } = apiInteractionMember(state, guildId, id);
      put('members', member);
    }
  } else if ((type === T.Role || type === T.Mentionable) && role) {
    put('roles', apiRole(role));
  } else if (type === T.Channel && channel) {
    put('channels', apiChannel(state, channel));
  } else if ([T.User, T.Role, T.Channel, T.Mentionable].includes(type)) {
    throw new Error(`fake-discord: no user, role or channel with id ${id}`);
  }
}

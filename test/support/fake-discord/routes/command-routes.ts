import { type APIApplicationCommand, ApplicationCommandType } from 'discord-api-types/v10';
import { type FakeContext, type RouteDef, type RouteRequest, route } from '../context.js';
import { DiscordHttpError, type FieldProblem, invalidFormBody } from '../errors.js';

/** Discord's rule for chat-input command and option names. */
const NAME = /^[-_'\p{L}\p{N}\p{sc=Deva}\p{sc=Thai}]{1,32}$/u;
const MAX_COMMANDS = 100;

interface LooseOption {
  name?: unknown;
  description?: unknown;
  required?: unknown;
  choices?: unknown[];
  options?: LooseOption[];
}

/** Global and guild application commands; PUT replaces the whole set, as bulk overwrite does. */
export const commandRoutes: RouteDef[] = [
  route('GET', '/applications/:app/commands', {}, (ctx, req) => {
    requireApp(ctx, req);
    return { body: ctx.state.commands.global };
  }),
  route('PUT', '/applications/:app/commands', {}, (ctx, req) => {
    requireApp(ctx, req);
    ctx.state.commands.global = overwrite(ctx, ctx.state.commands.global, req.body, undefined);
    ctx.state.changed('commands');
    return { body: ctx.state.commands.global };
  }),
  route('GET', '/applications/:app/guilds/:guild/commands', {}, (ctx, req) => {
    requireApp(ctx, req);
    return { body: ctx.state.commands.guild.get(req.params.guild!) ?? [] };
  }),
  route('PUT', '/applications/:app/guilds/:guild/commands', {}, (ctx, req) => {
    requireApp(ctx, req);
    const guildId = req.params.guild!;
    if (guildId !== ctx.config.guildId)
      throw new DiscordHttpError(403, { code: 50001, message: 'Missing Access' });
    const next = overwrite(ctx, ctx.state.commands.guild.get(guildId) ?? [], req.body, guildId);
    ctx.state.commands.guild.set(guildId, next);
    ctx.state.changed('commands');
    return { body: next };
  }),
];

function requireApp(ctx: FakeContext, req: RouteRequest): void {
  if (req.params.app !== ctx.config.applicationId)
    throw new DiscordHttpError(403, { code: 50001, message: 'Missing Access' });
}

function overwrite(
  ctx: FakeContext,
  previous: APIApplicationCommand[],
  body: unknown,
  guildId: string | undefined,
): APIApplicationCommand[] {
  if (!Array.isArray(body))
    throw invalidFormBody([{ path: '_root', code: 'BASE_TYPE_ARRAY', message: 'Must be an array.' }]);
  const problems: FieldProblem[] = [];
  if (body.length > MAX_COMMANDS)
    problems.push({
      path: '_root',
      code: 'BASE_TYPE_MAX_LENGTH',
      message: `Must be ${MAX_COMMANDS} or fewer in length.`,
    });
  const names = new Set<string>();
  body.forEach((c: Record<string, unknown>, i) => {
    const type = Number(c.type ?? ApplicationCommandType.ChatInput);
    if (type === ApplicationCommandType.ChatInput) checkNamed(c, `${i}`, problems);
    const key = `${type}:${String(c.name)}`;
    if (names.has(key))
      problems.push({
        path: `${i}.name`,
        code: 'APPLICATION_COMMANDS_DUPLICATE_NAME',
        message: 'Application command names must be unique',
      });
    names.add(key);
    checkOptions((c.options as LooseOption[]) ?? [], `${i}.options`, problems);
  });
  if (problems.length > 0) throw invalidFormBody(problems);
  return body.map((c: Record<string, unknown>) => {
    const type = Number(c.type ?? ApplicationCommandType.ChatInput);
    const old = previous.find((p) => p.name === c.name && p.type === type);
    return {
      ...c,
      id: old?.id ?? ctx.nextId(),
      application_id: ctx.config.applicationId,
      ...(guildId ? { guild_id: guildId } : {}),
      type,
      name: String(c.name),
      description: typeof c.description === 'string' ? c.description : '',
      default_member_permissions: (c.default_member_permissions as string | null | undefined) ?? null,
      nsfw: Boolean(c.nsfw),
      version: ctx.nextId(),
    } as APIApplicationCommand;
  });
}

function checkNamed(
  o: { name?: unknown; description?: unknown },
  at: string,
  problems: FieldProblem[],
): void {
  if (typeof o.name !== 'string' || !NAME.test(o.name) || o.name !== o.name.toLowerCase()) {
    problems.push({
      path: `${at}.name`,
      code: 'APPLICATION_COMMAND_INVALID_NAME',
      message: 'Command name is invalid',
    });
  }
  if (typeof o.description !== 'string' || o.description.length < 1 || o.description.length > 100) {
    problems.push({
      path: `${at}.description`,
      code: 'BASE_TYPE_BAD_LENGTH',
      message: 'Must be between 1 and 100 in length.',
    });
  }
}

function checkOptions(options: LooseOption[], at: string, problems: FieldProblem[]): void {
  if (options.length > 25)
    problems.push({ path: at, code: 'BASE_TYPE_MAX_LENGTH', message: 'Must be 25 or fewer in length.' });
  let optionalSeen = false;
  const names = new Set<unknown>();
  options.forEach((o, j) => {
    checkNamed(o, `${at}.${j}`, problems);
    if (names.has(o.name))
      problems.push({
        path: `${at}.${j}.name`,
        code: 'APPLICATION_COMMAND_OPTIONS_NAME_ALREADY_EXISTS',
        message: 'Option names must be unique',
      });
    names.add(o.name);
    // Discord refuses a required option after an optional one.
    if (o.required && optionalSeen)
      problems.push({
        path: `${at}.${j}.required`,
        code: 'APPLICATION_COMMAND_OPTIONS_REQUIRED_INVALID',
        message: 'Required options must be placed before non-required options',
      });
    if (!o.required) optionalSeen = true;
    if ((o.choices?.length ?? 0) > 25)
      problems.push({
        path: `${at}.${j}.choices`,
        code: 'BASE_TYPE_MAX_LENGTH',
        message: 'Must be 25 or fewer in length.',
      });
    if (o.options) checkOptions(o.options, `${at}.${j}.options`, problems);
  });
}

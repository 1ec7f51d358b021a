import { type APIApplication, type ApplicationFlags, RESTJSONErrorCodes } from 'discord-api-types/v10';
import { type FakeContext, type RouteDef, type RouteRequest, route } from '../context.js';
import { DiscordHttpError, unknownMember } from '../errors.js';
import { apiMember, apiRole, apiUser } from '../payloads.js';

/** Gateway discovery, the bot's own user and application, and guild members/roles. */
export const appRoutes: RouteDef[] = [
  route('GET', '/gateway', { auth: 'none' }, (ctx) => ({ body: { url: gatewayUrl(ctx) } })),

  route('GET', '/gateway/bot', {}, (ctx) => ({
    body: {
      url: gatewayUrl(ctx),
      shards: 1,
      session_start_limit: {
        total: 1000,
        remaining: Math.max(0, 1000 - ctx.state.gateway.identifies),
        reset_after: 86_400_000,
        max_concurrency: 1,
      },
    },
  })),

  route('GET', '/users/@me', {}, (ctx) => ({
    body: { ...apiUser(bot(ctx)), verified: true, mfa_enabled: false, flags: 0, locale: 'en-US' },
  })),

  route('GET', '/applications/@me', {}, (ctx) => ({ body: application(ctx) })),
  route('GET', '/oauth2/applications/@me', {}, (ctx) => ({ body: application(ctx) })),

  route('GET', '/guilds/:guild/members/:user', {}, (ctx, req) => {
    requireGuild(ctx, req);
    if (!ctx.state.members.has(req.params.user!)) throw unknownMember();
    return { body: apiMember(ctx.state, req.params.user!) };
  }),

  route('GET', '/guilds/:guild/roles', {}, (ctx, req) => {
    requireGuild(ctx, req);
    return { body: [...ctx.state.roles.values()].map(apiRole) };
  }),
];

function gatewayUrl(ctx: FakeContext): string {
  return `${ctx.origin().replace(/^http/, 'ws')}/gateway`;
}

function bot(ctx: FakeContext) {
  return ctx.state.users.get(ctx.config.applicationId)!;
}

function requireGuild(ctx: FakeContext, req: RouteRequest): void {
  if (req.params.guild !== ctx.config.guildId) {
    throw new DiscordHttpError(404, { code: RESTJSONErrorCodes.UnknownGuild, message: 'Unknown Guild' });
  }
}

function application(ctx: FakeContext): APIApplication {
  const botUser = apiUser(bot(ctx));
  return {
    id: ctx.config.applicationId,
    name: botUser.username,
    icon: null,
    description: '',
    summary: '',
    bot_public: false,
    bot_require_code_grant: false,
    bot: botUser,
    verify_key: '0'.repeat(64),
    team: null,
    flags: 0 as ApplicationFlags,
    flags_new: '0',
    approximate_guild_count: 1,
    redirect_uris: [],
    interactions_endpoint_url: null,
  };
}

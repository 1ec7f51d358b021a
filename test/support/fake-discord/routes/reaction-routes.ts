import { PermissionFlagsBits } from 'discord-api-types/v10';
import { type FakeContext, type RouteDef, route } from '../context.js';
import { DiscordHttpError, unknownMember } from '../errors.js';
import { apiUser, memberPermissions } from '../payloads.js';
import { addReaction, emojiKey, reactableMessage, removeReaction } from '../reaction-ops.js';

const BASE = '/channels/:channel/messages/:message/reactions';

/** Reactions, all in one per-channel bucket as on Discord (discord.js maps them to one route too). */
export const reactionRoutes: RouteDef[] = [
  route('PUT', `${BASE}/:emoji/@me`, { bucket: 'reactions' }, (ctx, req) => {
    const message = reactableMessage(ctx, req.params.channel!, req.params.message!);
    addReaction(ctx, message, emojiKey(req.params.emoji!), ctx.config.applicationId);
    return {};
  }),

  route('DELETE', `${BASE}/:emoji/@me`, { bucket: 'reactions' }, (ctx, req) => {
    const message = reactableMessage(ctx, req.params.channel!, req.params.message!);
    removeReaction(ctx, message, emojiKey(req.params.emoji!), ctx.config.applicationId);
    return {};
  }),

  route('DELETE', `${BASE}/:emoji/:user`, { bucket: 'reactions' }, (ctx, req) => {
    const message = reactableMessage(ctx, req.params.channel!, req.params.message!);
    const key = emojiKey(req.params.emoji!);
    if (req.params.user !== ctx.config.applicationId) requireManageMessages(ctx);
    if (!ctx.state.users.has(req.params.user!)) throw unknownMember();
    removeReaction(ctx, message, key, req.params.user!);
    return {};
  }),

  route('GET', `${BASE}/:emoji`, {}, (ctx, req) => {
    const message = reactableMessage(ctx, req.params.channel!, req.params.message!);
    const limit = Math.min(100, Math.max(1, Number(req.query.get('limit') ?? 25)));
    const after = req.query.get('after');
    // Discord lists reacting users by ascending user id, paged with `after`.
    const ids = [...(message.reactions.get(emojiKey(req.params.emoji!)) ?? [])]
      .sort((a, b) => (BigInt(a) < BigInt(b) ? -1 : 1))
      .filter((id) => !after || BigInt(id) > BigInt(after))
      .slice(0, limit);
    return { body: ids.map((id) => apiUser(ctx.state.users.get(id)!)) };
  }),

  route('DELETE', `${BASE}/:emoji`, { bucket: 'reactions' }, (ctx, req) => {
    const message = reactableMessage(ctx, req.params.channel!, req.params.message!);
    requireManageMessages(ctx);
    const key = emojiKey(req.params.emoji!);
    for (const user of [...(message.reactions.get(key) ?? [])]) removeReaction(ctx, message, key, user);
    return {};
  }),

  route('DELETE', BASE, { bucket: 'reactions' }, (ctx, req) => {
    const message = reactableMessage(ctx, req.params.channel!, req.params.message!);
    requireManageMessages(ctx);
    for (const [key, users] of [...message.reactions])
      for (const user of users) removeReaction(ctx, message, key, user);
    return {};
  }),
];

function requireManageMessages(ctx: FakeContext): void {
  const perms = memberPermissions(ctx.state, ctx.config.guildId, ctx.config.applicationId);
  if ((perms & PermissionFlagsBits.ManageMessages) === 0n) {
    throw new DiscordHttpError(403, { code: 50013, message: 'Missing Permissions' });
  }
}

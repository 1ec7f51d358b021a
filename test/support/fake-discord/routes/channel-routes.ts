import { GatewayDispatchEvents, GatewayIntentBits, PermissionFlagsBits } from 'discord-api-types/v10';
import { type FakeContext, type RouteDef, route } from '../context.js';
import { invalidFormBody, notAuthor } from '../errors.js';
import { deleteMessage, editMessage, postMessage, requireChannel, requireMessage } from '../message-ops.js';
import { apiChannel, apiMessage, isThread, memberPermissions } from '../payloads.js';
import type { FakeChannel } from '../state.js';

const AUTO_ARCHIVE = [60, 1440, 4320, 10080];

/** Channels (threads included) and their messages. */
export const channelRoutes: RouteDef[] = [
  route('GET', '/channels/:channel', {}, (ctx, req) => ({
    body: apiChannel(ctx.state, requireChannel(ctx, req.params.channel!)),
  })),

  route('PATCH', '/channels/:channel', {}, (ctx, req) => {
    const channel = requireChannel(ctx, req.params.channel!);
    patchChannel(ctx, channel, req.body ?? {});
    return { body: apiChannel(ctx.state, channel) };
  }),

  route('GET', '/channels/:channel/messages', {}, (ctx, req) => {
    requireChannel(ctx, req.params.channel!);
    const limit = Math.min(100, Math.max(1, Number(req.query.get('limit') ?? 50)));
    const before = req.query.get('before');
    const after = req.query.get('after');
    let list = ctx.state.visibleMessages(req.params.channel!);
    if (before) list = list.filter((m) => BigInt(m.id) < BigInt(before));
    if (after) list = list.filter((m) => BigInt(m.id) > BigInt(after));
    // Discord answers newest first.
    const page = after ? list.slice(0, limit) : list.slice(-limit);
    return { body: page.reverse().map((m) => apiMessage(ctx.state, m, ctx.config.applicationId)) };
  }),

  route('POST', '/channels/:channel/messages', { bucket: 'channelMessages' }, (ctx, req) => {
    const message = postMessage(ctx, {
      channelId: req.params.channel!,
      authorId: ctx.config.applicationId,
      body: req.body ?? {},
      files: req.files,
    });
    return { body: apiMessage(ctx.state, message, ctx.config.applicationId) };
  }),

  route('GET', '/channels/:channel/messages/:message', {}, (ctx, req) => ({
    body: apiMessage(
      ctx.state,
      requireMessage(ctx, req.params.channel!, req.params.message!),
      ctx.config.applicationId,
    ),
  })),

  route('PATCH', '/channels/:channel/messages/:message', { bucket: 'messageEdits' }, (ctx, req) => {
    const message = requireMessage(ctx, req.params.channel!, req.params.message!);
    editMessage(ctx, message, req.body ?? {}, req.files);
    return { body: apiMessage(ctx.state, message, ctx.config.applicationId) };
  }),

  route('DELETE', '/channels/:channel/messages/:message', {}, (ctx, req) => {
    const message = requireMessage(ctx, req.params.channel!, req.params.message!);
    if (message.authorId !== ctx.config.applicationId && !botManagesMessages(ctx)) throw notAuthor();
    deleteMessage(ctx, message);
    return {};
  }),
];

function botManagesMessages(ctx: FakeContext): boolean {
  const perms = memberPermissions(ctx.state, ctx.config.guildId, ctx.config.applicationId);
  return (perms & PermissionFlagsBits.ManageMessages) !== 0n;
}

/** PATCH /channels/:id: rename, and for threads archive/unarchive, lock and auto-archive duration. */
function patchChannel(ctx: FakeContext, channel: FakeChannel, body: Record<string, unknown>): void {
  const problems = [];
  if (
    body.name !== undefined &&
    (typeof body.name !== 'string' || body.name.length < 1 || body.name.length > 100)
  ) {
    problems.push({
      path: 'name',
      code: 'BASE_TYPE_BAD_LENGTH',
      message: 'Must be between 1 and 100 in length.',
    });
  }
  if (
    body.auto_archive_duration !== undefined &&
    !AUTO_ARCHIVE.includes(Number(body.auto_archive_duration))
  ) {
    problems.push({
      path: 'auto_archive_duration',
      code: 'BASE_TYPE_CHOICES',
      message: `Value must be one of {${AUTO_ARCHIVE.join(', ')}}.`,
    });
  }
  if (problems.length > 0) throw invalidFormBody(problems);
  if (typeof body.name === 'string') channel.name = body.name;
  if (isThread(channel)) {
    if (typeof body.archived === 'boolean' && body.archived !== channel.archived) {
      channel.archived = body.archived;
      channel.archiveTimestamp = new Date().toISOString();
    }
    if (typeof body.locked === 'boolean') channel.locked = body.locked;
    if (body.auto_archive_duration !== undefined)
      channel.autoArchiveDuration = Number(body.auto_archive_duration);
  }
  const event = isThread(channel) ? GatewayDispatchEvents.ThreadUpdate : GatewayDispatchEvents.ChannelUpdate;
  ctx.gateway.dispatch(event, apiChannel(ctx.state, channel), GatewayIntentBits.Guilds);
  ctx.state.changed('channel:update');
}

import { ChannelType, GatewayDispatchEvents, GatewayIntentBits, MessageFlags } from 'discord-api-types/v10';
import { addChannel } from '../config.js';
import { type FakeContext, type RouteDef, route } from '../context.js';
import { type FieldProblem, invalidFormBody, threadAlreadyCreated, wrongChannelType } from '../errors.js';
import { dispatchMessage, requireChannel, requireMessage } from '../message-ops.js';
import { apiChannel, isThread } from '../payloads.js';
import type { FakeChannel } from '../state.js';

const AUTO_ARCHIVE = [60, 1440, 4320, 10080];
const THREAD_PARENTS = [ChannelType.GuildText, ChannelType.GuildAnnouncement];

/** Threads: started from a message (thread id = message id) or standalone. */
export const threadRoutes: RouteDef[] = [
  route('POST', '/channels/:channel/messages/:message/threads', {}, (ctx, req) => {
    const parent = requireChannel(ctx, req.params.channel!);
    if (!THREAD_PARENTS.includes(parent.type)) throw wrongChannelType();
    const message = requireMessage(ctx, parent.id, req.params.message!);
    checkThreadBody(req.body ?? {});
    // Discord gives the thread the starter message's id, so a second start can only fail.
    if (message.threadId || ctx.state.channels.has(message.id)) throw threadAlreadyCreated();
    const type =
      parent.type === ChannelType.GuildAnnouncement
        ? ChannelType.AnnouncementThread
        : ChannelType.PublicThread;
    const thread = openThread(ctx, { id: message.id, parent, type, body: req.body });
    message.threadId = thread.id;
    message.flags |= MessageFlags.HasThread;
    // Discord also updates the starter message (flags + thread), which is how discord.js learns `hasThread`.
    dispatchMessage(ctx, GatewayDispatchEvents.MessageUpdate, message);
    return { status: 201, body: apiChannel(ctx.state, thread) };
  }),

  route('POST', '/channels/:channel/threads', {}, (ctx, req) => {
    const parent = requireChannel(ctx, req.params.channel!);
    if (!THREAD_PARENTS.includes(parent.type)) throw wrongChannelType();
    checkThreadBody(req.body ?? {});
    const type = Number(req.body?.type ?? ChannelType.PrivateThread);
    if (
      ![ChannelType.PublicThread, ChannelType.PrivateThread, ChannelType.AnnouncementThread].includes(type)
    ) {
      throw invalidFormBody([
        { path: 'type', code: 'BASE_TYPE_CHOICES', message: 'Value must be one of {10, 11, 12}.' },
      ]);
    }
    const thread = openThread(ctx, { id: ctx.nextId(), parent, type, body: req.body });
    return { status: 201, body: apiChannel(ctx.state, thread) };
  }),

  route('PUT', '/channels/:channel/thread-members/@me', {}, (ctx, req) => {
    if (!isThread(requireChannel(ctx, req.params.channel!))) throw wrongChannelType();
    return {};
  }),
];

function checkThreadBody(body: Record<string, unknown>): void {
  const problems: FieldProblem[] = [];
  if (typeof body.name !== 'string' || body.name.length < 1 || body.name.length > 100) {
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
}

function openThread(
  ctx: FakeContext,
  t: { id: string; parent: FakeChannel; type: ChannelType; body: Record<string, unknown> },
): FakeChannel {
  const thread = addChannel(ctx.state, {
    id: t.id,
    name: String(t.body.name),
    type: t.type,
    guildId: t.parent.guildId,
    parentId: t.parent.id,
    ownerId: ctx.config.applicationId,
  });
  if (t.body.auto_archive_duration !== undefined)
    thread.autoArchiveDuration = Number(t.body.auto_archive_duration);
  ctx.gateway.dispatch(
    GatewayDispatchEvents.ThreadCreate,
    { ...apiChannel(ctx.state, thread), newly_created: true },
    GatewayIntentBits.Guilds,
  );
  ctx.state.changed('thread:create');
  return thread;
}

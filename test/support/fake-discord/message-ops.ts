import {
  type APIEmbed,
  EmbedType,
  GatewayDispatchEvents,
  GatewayIntentBits,
  MessageFlags,
  RESTJSONErrorCodes,
} from 'discord-api-types/v10';
import type { FakeContext, UploadedFile } from './context.js';
import {
  archivedThread,
  DiscordHttpError,
  invalidFormBody,
  notAuthor,
  unknownChannel,
  unknownMessage,
} from './errors.js';
import { checkMessageFields, checkNotEmpty, type MessageFields } from './message-validation.js';
import { apiChannel, apiMember, apiMessage, isThread } from './payloads.js';
import type { FakeChannel, FakeMessage } from './state.js';

/** Flags a bot may set when creating a message in a channel (Ephemeral only exists for interactions). */
export const CHANNEL_MESSAGE_FLAGS =
  MessageFlags.SuppressEmbeds | MessageFlags.SuppressNotifications | MessageFlags.IsComponentsV2;
export const INTERACTION_MESSAGE_FLAGS = CHANNEL_MESSAGE_FLAGS | MessageFlags.Ephemeral;

/** A body for message create/edit: the message fields plus what creation adds. */
export type MessageBody = MessageFields & { flags?: unknown; message_reference?: { message_id?: unknown } };

export function requireChannel(ctx: FakeContext, id: string): FakeChannel {
  const channel = ctx.state.channels.get(id);
  if (!channel) throw unknownChannel();
  return channel;
}

/** A message reachable through channel routes: ephemeral ones exist only for the interaction webhook. */
export function requireMessage(ctx: FakeContext, channelId: string, messageId: string): FakeMessage {
  const message = ctx.state.messageById.get(messageId);
  const hidden = !message || message.deleted || (message.flags & MessageFlags.Ephemeral) !== 0;
  if (hidden || message.channelId !== channelId) throw unknownMessage();
  return message;
}

/** Marks a message deleted and dispatches MESSAGE_DELETE (not for ephemeral ones, which only their user saw). */
export function deleteMessage(ctx: FakeContext, message: FakeMessage): void {
  message.deleted = true;
  if ((message.flags & MessageFlags.Ephemeral) === 0) {
    ctx.gateway.dispatch(
      GatewayDispatchEvents.MessageDelete,
      { id: message.id, channel_id: message.channelId, guild_id: ctx.config.guildId },
      GatewayIntentBits.GuildMessages,
    );
  }
  ctx.state.changed('message:delete');
}

/**
 * A bot's message into an archived thread unarchives it, as on Discord; a locked one stays closed
 * unless the bot holds MANAGE_THREADS.
 */
export function reopenIfArchived(ctx: FakeContext, channel: FakeChannel): void {
  if (!isThread(channel) || !channel.archived) return;
  if (channel.locked && !ctx.config.botCanManageThreads) throw archivedThread();
  channel.archived = false;
  channel.archiveTimestamp = new Date().toISOString();
  ctx.gateway.dispatch(
    GatewayDispatchEvents.ThreadUpdate,
    apiChannel(ctx.state, channel),
    GatewayIntentBits.Guilds,
  );
}

/** Creates a message after Discord's checks, stores it and dispatches MESSAGE_CREATE (not for ephemeral ones). */
export function postMessage(
  ctx: FakeContext,
  m: {
    channelId: string;
    authorId: string;
    body: MessageBody;
    files?: UploadedFile[];
    allowedFlags?: number;
    extraFlags?: number;
    type?: number;
    interactionId?: string | null;
    webhookId?: string | null;
    allowEmpty?: boolean;
  },
): FakeMessage {
  const channel = requireChannel(ctx, m.channelId);
  if (channel.type === 4) {
    throw new DiscordHttpError(400, {
      code: RESTJSONErrorCodes.CannotSendMessagesInNonTextChannel,
      message: 'Cannot send messages in a non-text channel',
    });
  }
  checkMessageFields(m.body);
  if (!m.allowEmpty) checkNotEmpty(m.body, (m.files?.length ?? 0) > 0);
  const referenced = m.body.message_reference?.message_id;
  if (referenced !== undefined && !ctx.state.messageById.has(String(referenced))) {
    throw invalidFormBody([
      { path: 'message_reference', code: 'MESSAGE_REFERENCE_UNKNOWN_MESSAGE', message: 'Unknown message' },
    ]);
  }
  if (m.authorId === ctx.config.applicationId) reopenIfArchived(ctx, channel);
  const id = ctx.nextId();
  const message: FakeMessage = {
    id,
    channelId: channel.id,
    authorId: m.authorId,
    content: typeof m.body.content === 'string' ? m.body.content : '',
    embeds: normaliseEmbeds(m.body.embeds),
    components: Array.isArray(m.body.components) ? m.body.components : [],
    attachments: attachmentsFor(ctx, channel.id, m.files ?? []),
    flags: (Number(m.body.flags ?? 0) & (m.allowedFlags ?? CHANNEL_MESSAGE_FLAGS)) | (m.extraFlags ?? 0),
    type: m.type ?? (referenced !== undefined ? 19 : 0),
    createdAt: new Date().toISOString(),
    editedAt: null,
    edits: [],
    reactions: new Map(),
    threadId: null,
    interactionId: m.interactionId ?? null,
    webhookId: m.webhookId ?? null,
    referencedMessageId: referenced !== undefined ? String(referenced) : null,
    deleted: false,
  };
  ctx.state.addMessage(message);
  channel.messagesSent++;
  if ((message.flags & MessageFlags.Ephemeral) === 0)
    dispatchMessage(ctx, GatewayDispatchEvents.MessageCreate, message);
  ctx.state.changed('message:create');
  return message;
}

/** Edits a bot message, keeping the previous version in `edits`, and dispatches MESSAGE_UPDATE. */
export function editMessage(
  ctx: FakeContext,
  message: FakeMessage,
  body: MessageBody,
  files: UploadedFile[] = [],
): FakeMessage {
  if (message.authorId !== ctx.config.applicationId) throw notAuthor();
  checkMessageFields(body);
  const next = {
    content:
      body.content === undefined ? message.content : typeof body.content === 'string' ? body.content : '',
    embeds: body.embeds === undefined ? message.embeds : normaliseEmbeds(body.embeds),
    components:
      body.components === undefined
        ? message.components
        : Array.isArray(body.components)
          ? body.components
          : [],
  };
  const keepsAttachments = message.attachments.length > 0 && body.attachments === undefined;
  checkNotEmpty(
    { ...next, attachments: keepsAttachments ? message.attachments : body.attachments },
    files.length > 0,
  );
  reopenIfArchived(ctx, requireChannel(ctx, message.channelId));
  if ((message.flags & MessageFlags.Loading) === 0) {
    message.edits.push({
      at: message.editedAt ?? message.createdAt,
      content: message.content,
      embeds: message.embeds,
      components: message.components,
    });
    message.editedAt = new Date().toISOString();
  }
  Object.assign(message, next);
  if (files.length > 0)
    message.attachments = [...message.attachments, ...attachmentsFor(ctx, message.channelId, files)];
  // Filling a "thinking…" placeholder is not shown as an edit, hence no edits entry above.
  message.flags &= ~MessageFlags.Loading;
  if ((message.flags & MessageFlags.Ephemeral) === 0)
    dispatchMessage(ctx, GatewayDispatchEvents.MessageUpdate, message);
  ctx.state.changed('message:edit');
  return message;
}

/** MESSAGE_CREATE/UPDATE as guild members see them: with guild_id and the author's member object. */
export function dispatchMessage(ctx: FakeContext, t: GatewayDispatchEvents, message: FakeMessage): void {
  const { user: _user, ...member } = apiMember(ctx.state, message.authorId);
  const d = {
    ...apiMessage(ctx.state, message, ctx.config.applicationId),
    guild_id: ctx.config.guildId,
    member,
  };
  const botId = ctx.config.applicationId;
  ctx.gateway.dispatch(t, d, GatewayIntentBits.GuildMessages, (payload, intents) => {
    // Without MessageContent a bot only sees content of its own messages and of messages mentioning it.
    const own = message.authorId === botId || message.content.includes(`<@${botId}>`);
    if (own || intents & GatewayIntentBits.MessageContent) return payload;
    return { ...(payload as object), content: '', embeds: [], attachments: [], components: [] };
  });
}

function normaliseEmbeds(embeds: unknown): FakeMessage['embeds'] {
  if (!Array.isArray(embeds)) return [];
  return embeds.map((e) => ({ type: EmbedType.Rich, ...(e as APIEmbed) }));
}

function attachmentsFor(
  ctx: FakeContext,
  channelId: string,
  files: UploadedFile[],
): FakeMessage['attachments'] {
  return files.map((f) => {
    const id = ctx.nextId();
    const url = `${ctx.origin()}/attachments/${channelId}/${id}/${encodeURIComponent(f.filename)}`;
    return { id, filename: f.filename, size: f.size, url, proxy_url: url, content_type: f.contentType };
  });
}

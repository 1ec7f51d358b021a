import { InteractionResponseType, InteractionType, MessageFlags, MessageType } from 'discord-api-types/v10';
import { type FakeContext, type RouteDef, type RouteRequest, route } from '../context.js';
import {
  alreadyAcknowledged,
  invalidFormBody,
  invalidWebhookToken,
  unknownInteraction,
  unknownMessage,
  unknownWebhook,
} from '../errors.js';
import {
  deleteMessage,
  editMessage,
  INTERACTION_MESSAGE_FLAGS,
  type MessageBody,
  postMessage,
} from '../message-ops.js';
import { apiMessage } from '../payloads.js';
import type { FakeInteraction, FakeMessage } from '../state.js';

const COMPONENT_LIKE = [InteractionType.MessageComponent, InteractionType.ModalSubmit];

/**
 * Interaction callbacks and the interaction webhook (`@original`, followups). Neither takes the bot
 * token nor counts toward the global limit; both are bound to the interaction's token instead.
 * @see https://discord.com/developers/docs/interactions/receiving-and-responding
 */
export const interactionRoutes: RouteDef[] = [
  route('POST', '/interactions/:id/:token/callback', { auth: 'none', bucket: null }, (ctx, req) => {
    const interaction = ctx.state.interactions.get(req.params.id!);
    if (!interaction || interaction.token !== req.params.token) throw unknownInteraction();
    if (interaction.responses.length > 0) throw alreadyAcknowledged();
    // Past the deadline Discord has already shown "The application did not respond".
    if (Date.now() - interaction.createdAt >= ctx.config.interactionDeadlineMs) throw unknownInteraction();
    const type = Number(req.body?.type) as InteractionResponseType;
    const data = (req.body?.data ?? undefined) as (MessageBody & Record<string, unknown>) | undefined;
    const message = respond(ctx, interaction, type, data, req);
    interaction.responses.push({
      type,
      data,
      ephemeral: (Number(data?.flags ?? 0) & MessageFlags.Ephemeral) !== 0,
      at: Date.now(),
    });
    ctx.state.changed('interaction:response');
    if (req.query.get('with_response') !== 'true') return {};
    return {
      status: 200,
      body: {
        interaction: {
          id: interaction.id,
          type: interaction.type,
          ...(message
            ? {
                response_message_id: message.id,
                response_message_loading: (message.flags & MessageFlags.Loading) !== 0,
                response_message_ephemeral: (message.flags & MessageFlags.Ephemeral) !== 0,
              }
            : {}),
        },
        resource: {
          type,
          ...(message ? { message: apiMessage(ctx.state, message, ctx.config.applicationId) } : {}),
        },
      },
    };
  }),

  route(
    'GET',
    '/webhooks/:app/:token/messages/:message',
    { auth: 'none', bucket: 'webhooks' },
    (ctx, req) => {
      const message = webhookMessage(ctx, req);
      return { body: apiMessage(ctx.state, message, ctx.config.applicationId) };
    },
  ),

  route(
    'PATCH',
    '/webhooks/:app/:token/messages/:message',
    { auth: 'none', bucket: 'webhooks' },
    (ctx, req) => {
      const message = webhookMessage(ctx, req);
      editMessage(ctx, message, req.body ?? {}, req.files);
      return { body: apiMessage(ctx.state, message, ctx.config.applicationId) };
    },
  ),

  route(
    'DELETE',
    '/webhooks/:app/:token/messages/:message',
    { auth: 'none', bucket: 'webhooks' },
    (ctx, req) => {
      const message = webhookMessage(ctx, req);
      deleteMessage(ctx, message);
      return {};
    },
  ),

  route('POST', '/webhooks/:app/:token', { auth: 'none', bucket: 'webhooks' }, (ctx, req) => {
    const interaction = liveInteraction(ctx, req);
    if (interaction.responses.length === 0) throw unknownWebhook();
    const original = interaction.originalMessageId
      ? ctx.state.messageById.get(interaction.originalMessageId)
      : undefined;
    let message: FakeMessage;
    if (original && original.flags & MessageFlags.Loading) {
      // The first followup after a deferred reply fills the "thinking…" message and keeps its ephemerality.
      message = editMessage(ctx, original, req.body ?? {}, req.files);
    } else {
      message = postMessage(ctx, {
        channelId: interaction.channelId,
        authorId: ctx.config.applicationId,
        body: req.body ?? {},
        files: req.files,
        allowedFlags: INTERACTION_MESSAGE_FLAGS,
        interactionId: interaction.id,
        webhookId: ctx.config.applicationId,
      });
      interaction.followupMessageIds.push(message.id);
    }
    ctx.state.changed('interaction:followup');
    // Without ?wait=true Discord answers 204 and the caller learns nothing about the message.
    return req.query.get('wait') === 'true'
      ? { body: apiMessage(ctx.state, message, ctx.config.applicationId) }
      : {};
  }),
];

function respond(
  ctx: FakeContext,
  interaction: FakeInteraction,
  type: InteractionResponseType,
  data: (MessageBody & Record<string, unknown>) | undefined,
  req: RouteRequest,
): FakeMessage | null {
  const isComponent = COMPONENT_LIKE.includes(interaction.type);
  const invalid = () =>
    invalidFormBody([
      {
        path: 'type',
        code: 'INTERACTION_RESPONSE_TYPE_INVALID',
        message: 'Interaction response type is not valid for this interaction',
      },
    ]);
  if (interaction.type === InteractionType.ApplicationCommandAutocomplete) {
    if (type !== InteractionResponseType.ApplicationCommandAutocompleteResult) throw invalid();
    const choices = Array.isArray(data?.choices) ? data.choices : [];
    if (choices.length > 25)
      throw invalidFormBody([
        { path: 'data.choices', code: 'BASE_TYPE_MAX_LENGTH', message: 'Must be 25 or fewer in length.' },
      ]);
    interaction.choices = choices;
    return null;
  }
  const post = (extra: { allowEmpty?: boolean; extraFlags?: number }) => {
    const message = postMessage(ctx, {
      channelId: interaction.channelId,
      authorId: ctx.config.applicationId,
      body: data ?? {},
      files: req.files,
      allowedFlags: INTERACTION_MESSAGE_FLAGS,
      type:
        interaction.type === InteractionType.ApplicationCommand
          ? MessageType.ChatInputCommand
          : MessageType.Default,
      interactionId: interaction.id,
      webhookId: ctx.config.applicationId,
      ...extra,
    });
    interaction.originalMessageId = message.id;
    return message;
  };
  switch (type) {
    case InteractionResponseType.ChannelMessageWithSource:
      return post({});
    case InteractionResponseType.DeferredChannelMessageWithSource:
      return post({ allowEmpty: true, extraFlags: MessageFlags.Loading });
    case InteractionResponseType.DeferredMessageUpdate:
      if (!isComponent) throw invalid();
      return interaction.originalMessageId ? ctx.state.messageById.get(interaction.originalMessageId)! : null;
    case InteractionResponseType.UpdateMessage: {
      if (!isComponent || !interaction.originalMessageId) throw invalid();
      return editMessage(
        ctx,
        ctx.state.messageById.get(interaction.originalMessageId)!,
        data ?? {},
        req.files,
      );
    }
    case InteractionResponseType.Modal:
      if (interaction.type === InteractionType.ModalSubmit) throw invalid();
      if (
        typeof data?.custom_id !== 'string' ||
        typeof data?.title !== 'string' ||
        !Array.isArray(data?.components)
      ) {
        throw invalidFormBody([
          {
            path: 'data',
            code: 'BASE_TYPE_REQUIRED',
            message: 'custom_id, title and components are required',
          },
        ]);
      }
      return null;
    default:
      throw invalid();
  }
}

/** The interaction behind a webhook URL, while its token is still valid. */
function liveInteraction(ctx: FakeContext, req: RouteRequest): FakeInteraction {
  const interaction = [...ctx.state.interactions.values()].find((i) => i.token === req.params.token);
  if (req.params.app !== ctx.config.applicationId || !interaction) throw unknownWebhook();
  if (interaction.tokenExpired || Date.now() - interaction.createdAt >= ctx.config.interactionTokenTtlMs) {
    interaction.tokenExpired = true;
    throw invalidWebhookToken();
  }
  return interaction;
}

/** `@original` or a followup id of the interaction behind the webhook. */
function webhookMessage(ctx: FakeContext, req: RouteRequest): FakeMessage {
  const interaction = liveInteraction(ctx, req);
  const id = req.params.message === '@original' ? interaction.originalMessageId : req.params.message;
  const known =
    id !== null && (id === interaction.originalMessageId || interaction.followupMessageIds.includes(id!));
  const message = known ? ctx.state.messageById.get(id!) : undefined;
  if (!message || message.deleted) throw unknownMessage();
  return message;
}

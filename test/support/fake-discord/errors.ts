import { RESTJSONErrorCodes } from 'discord-api-types/v10';

/**
 * An answer Discord gives instead of a result: route handlers throw it, the server writes it.
 * Bodies follow https://discord.com/developers/docs/reference#error-messages.
 */
export class DiscordHttpError extends Error {
  constructor(
    readonly status: number,
    readonly body: { code: number; message: string; errors?: unknown },
  ) {
    super(body.message);
  }
}

const plain = (status: number, code: number, message: string) =>
  new DiscordHttpError(status, { code, message });

/** The `{"message":"404: Not Found","code":0}` family Discord sends for HTTP-level failures. */
export const httpStatusError = (status: number, text: string) => plain(status, 0, `${status}: ${text}`);

export const unauthorized = () => httpStatusError(401, 'Unauthorized');
export const notFound = () => httpStatusError(404, 'Not Found');
export const methodNotAllowed = () => httpStatusError(405, 'Method Not Allowed');

export const unknownChannel = () => plain(404, RESTJSONErrorCodes.UnknownChannel, 'Unknown Channel');
export const unknownMessage = () => plain(404, RESTJSONErrorCodes.UnknownMessage, 'Unknown Message');
export const unknownMember = () => plain(404, RESTJSONErrorCodes.UnknownMember, 'Unknown Member');
export const unknownEmoji = () => plain(400, RESTJSONErrorCodes.UnknownEmoji, 'Unknown Emoji');
export const unknownWebhook = () => plain(404, RESTJSONErrorCodes.UnknownWebhook, 'Unknown Webhook');
export const unknownInteraction = () =>
  plain(404, RESTJSONErrorCodes.UnknownInteraction, 'Unknown interaction');
export const invalidWebhookToken = () =>
  plain(401, RESTJSONErrorCodes.InvalidWebhookToken, 'Invalid Webhook Token');
export const alreadyAcknowledged = () =>
  plain(
    400,
    RESTJSONErrorCodes.InteractionHasAlreadyBeenAcknowledged,
    'Interaction has already been acknowledged.',
  );
export const emptyMessage = () =>
  plain(400, RESTJSONErrorCodes.CannotSendAnEmptyMessage, 'Cannot send an empty message');
export const notAuthor = () =>
  plain(
    403,
    RESTJSONErrorCodes.CannotEditMessageAuthoredByAnotherUser,
    'Cannot edit a message authored by another user',
  );
export const wrongChannelType = () =>
  plain(
    400,
    RESTJSONErrorCodes.CannotExecuteActionOnThisChannelType,
    'Cannot execute action on this channel type',
  );
export const archivedThread = () =>
  plain(400, RESTJSONErrorCodes.InvalidActionOnArchivedThread, 'Thread is archived');
export const threadAlreadyCreated = () =>
  plain(
    400,
    RESTJSONErrorCodes.ThreadAlreadyCreatedForMessage,
    'A thread has already been created for this message',
  );

/** One field problem inside a 50035 answer: `path` like `content` or `embeds.0.title`. */
export interface FieldProblem {
  path: string;
  code: string;
  message: string;
}

/** 50035 Invalid Form Body with Discord's nested `errors` object (`{content:{_errors:[…]}}`). */
export function invalidFormBody(problems: FieldProblem[]): DiscordHttpError {
  const errors: Record<string, unknown> = {};
  for (const p of problems) {
    let node = errors;
    for (const key of p.path.split('.')) {
      node[key] ??= {};
      node = node[key] as Record<string, unknown>;
    }
    node._errors ??= [];
    (node._errors as Array<{ code: string; message: string }>).push({ code: p.code, message: p.message });
  }
  return new DiscordHttpError(400, {
    code: RESTJSONErrorCodes.InvalidFormBodyOrContentType,
    message: 'Invalid Form Body',
    errors,
  });
}

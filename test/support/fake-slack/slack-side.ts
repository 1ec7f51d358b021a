import { randomBytes } from 'node:crypto';
import { type DeliveryOptions, type DeliveryResult, deliver, formEncode } from './http-delivery.js';
import {
  type BlockActionFields,
  blockActionsPayload,
  eventCallback,
  reactionEvent,
  type SlashCommandFields,
  slackId,
  slashCommandPayload,
} from './payloads.js';
import type { ResponseUrls } from './response-urls.js';
import type { EnvelopeOptions, SocketModeServer } from './socket-mode.js';
import type { FakeSlackState } from './state.js';

/** What the Slack-side helpers need from the running fake. */
export interface SlackSideParts {
  state: FakeSlackState;
  responseUrls: ResponseUrls;
  socket: SocketModeServer;
  signingSecret: string;
  verificationToken: string;
}

/**
 * Slack acting towards the app: signed HTTP deliveries, Socket Mode envelopes, and user actions (reacting,
 * clicking, posting) that change the fake's state and answer the payload Slack would send.
 */
export function slackSide({ state, responseUrls, socket, signingSecret, verificationToken }: SlackSideParts) {
  const commandPayload = (fields: SlashCommandFields) => {
    const responseUrl = responseUrls.create({
      kind: 'commands',
      channel: fields.channel_id,
      user: fields.user_id,
    });
    return slashCommandPayload(state, fields, responseUrl, verificationToken);
  };
  /** Shows an ack body the way Slack does (ephemeral unless response_type is in_channel). */
  const showAck = (responseUrl: string, res: DeliveryResult) => {
    if (res.status !== 200 || res.text === '') return;
    responseUrls.applyAck(responseUrl, res.json ?? { text: res.text });
  };
  const eventBody = (event: Record<string, unknown>, eventId?: string) =>
    eventCallback(state, event, eventId ?? slackId('Ev'), verificationToken);

  /** Acts as a user reacting in the client: updates state and answers the event Slack would send. */
  const reaction = (
    type: 'reaction_added' | 'reaction_removed',
    user: string,
    channel: string,
    ts: string,
    name: string,
  ) => {
    const msg = state.findMessage(channel, ts);
    if (!msg) throw new Error(`fake-slack: no message ${channel}/${ts} to react to`);
    const r =
      type === 'reaction_added'
        ? state.addReaction(channel, ts, user, name)
        : state.removeReaction(channel, ts, user, name);
    if (r !== 'ok') throw new Error(`fake-slack: ${type} ${name} by ${user} refused: ${r}`);
    return reactionEvent(type, user, channel, ts, name, msg.user, state.nextTs());
  };

  return {
    /** HTTP mode: a signed slash command (form-encoded). Answers the app's reply and the response_url. */
    async sendSlashCommand(targetUrl: string, fields: SlashCommandFields, o: DeliveryOptions = {}) {
      const payload = commandPayload(fields);
      const res = await deliver(
        targetUrl,
        formEncode(payload),
        'application/x-www-form-urlencoded',
        signingSecret,
        o,
      );
      showAck(payload.response_url!, res);
      return { ...res, payload, responseUrl: payload.response_url! };
    },
    /** HTTP mode: a signed Events API delivery; pass the same `eventId` with `retryNum` for a redelivery. */
    async sendEvent(
      targetUrl: string,
      event: Record<string, unknown>,
      o: DeliveryOptions & { eventId?: string; retryNum?: number; retryReason?: string } = {},
    ) {
      const body = eventBody(event, o.eventId);
      const retry: Record<string, string> = o.retryNum
        ? { 'x-slack-retry-num': String(o.retryNum), 'x-slack-retry-reason': o.retryReason ?? 'http_timeout' }
        : {};
      const res = await deliver(targetUrl, JSON.stringify(body), 'application/json', signingSecret, {
        ...o,
        headers: { ...retry, ...o.headers },
      });
      return { ...res, eventId: body.event_id as string, body };
    },
    /** HTTP mode: a signed interaction (`payload=` form field holding JSON). */
    async sendInteraction(targetUrl: string, payload: Record<string, unknown>, o: DeliveryOptions = {}) {
      const raw = formEncode({ payload: JSON.stringify(payload) });
      return deliver(targetUrl, raw, 'application/x-www-form-urlencoded', signingSecret, o);
    },
    /** HTTP mode: Slack's `url_verification` handshake. */
    sendUrlVerification(targetUrl: string, o: DeliveryOptions = {}) {
      const body = {
        token: verificationToken,
        challenge: randomBytes(16).toString('hex'),
        type: 'url_verification',
      };
      return deliver(targetUrl, JSON.stringify(body), 'application/json', signingSecret, o).then((r) => ({
        ...r,
        challenge: body.challenge,
      }));
    },

    /** A block_actions payload for a click on a stored message, with a fresh response_url. */
    blockActions(f: BlockActionFields) {
      const responseUrl = responseUrls.create({
        kind: 'actions',
        channel: f.channel,
        user: f.user,
        messageTs: f.messageTs,
      });
      return blockActionsPayload(state, f, responseUrl, verificationToken);
    },
    /** A user adds a reaction: state is updated and the `reaction_added` event is answered (not sent). */
    reactionAdded: (user: string, channel: string, ts: string, name: string) =>
      reaction('reaction_added', user, channel, ts, name),
    /** A user removes a reaction: state is updated and the `reaction_removed` event is answered. */
    reactionRemoved: (user: string, channel: string, ts: string, name: string) =>
      reaction('reaction_removed', user, channel, ts, name),
    /** A user posts a message: it is stored and the `message` event is answered. */
    userMessage(user: string, channel: string, text: string, threadTs?: string) {
      const m = state.addMessage(channel, { user, text, thread_ts: threadTs });
      return {
        type: 'message',
        channel,
        user,
        text,
        ts: m.ts,
        event_ts: m.ts,
        channel_type: 'channel',
        ...(m.thread_ts ? { thread_ts: m.thread_ts } : {}),
      };
    },

    /** Socket Mode side. Every send waits for a connected client, then for the ack, and answers its payload. */
    socket: {
      get connections() {
        return socket.connections;
      },
      waitForConnection: (timeoutMs?: number) => socket.waitForConnection(timeoutMs),
      send: socket.send.bind(socket),
      async sendSlashCommand(fields: SlashCommandFields, o: EnvelopeOptions = {}) {
        const payload = commandPayload(fields);
        const ack = await socket.send('slash_commands', payload, o);
        responseUrls.applyAck(payload.response_url!, ack);
        return { ack, payload, responseUrl: payload.response_url! };
      },
      async sendEvent(event: Record<string, unknown>, o: EnvelopeOptions & { eventId?: string } = {}) {
        const body = eventBody(event, o.eventId);
        return { ack: await socket.send('events_api', body, o), eventId: body.event_id as string, body };
      },
      sendInteraction: (payload: Record<string, unknown>, o: EnvelopeOptions = {}) =>
        socket.send('interactive', payload, o),
    },
    /** Drops Socket Mode connections (see SocketModeServer.drop); the client is expected to reconnect. */
    dropSocket: (o?: { graceful?: boolean }) => socket.drop(o),
  };
}

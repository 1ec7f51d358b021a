import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { type WebSocket, WebSocketServer } from 'ws';
import type { FakeSlackState } from './state.js';
import type { ApiAnswer } from './web-api-chat.js';

/** Envelope types Slack sends over Socket Mode (https://docs.slack.dev/apis/events-api/using-socket-mode). */
export type EnvelopeType = 'slash_commands' | 'events_api' | 'interactive';

/** Options of one envelope. */
export interface EnvelopeOptions {
  /** Slack sets it for slash commands and some interactions. @defaultValue true for slash_commands */
  acceptsResponsePayload?: boolean;
  /** events_api redelivery count. @defaultValue 0 */
  retryAttempt?: number;
  /** @defaultValue '' (or 'timeout' when retryAttempt > 0) */
  retryReason?: string;
  /** How long to wait for a connected client, then for its ack. @defaultValue 3000 */
  timeoutMs?: number;
}

/** The Socket Mode side of the fake: `apps.connections.open`, the WebSocket link and envelopes. */
export class SocketModeServer {
  private readonly wss = new WebSocketServer({ noServer: true });
  private readonly tickets = new Set<string>();
  private readonly sockets = new Set<WebSocket>();
  private readonly pending = new Map<string, (payload: Record<string, unknown>) => void>();
  private readonly pinger: NodeJS.Timeout | undefined;

  constructor(
    private readonly state: FakeSlackState,
    private readonly wsBase: () => string,
    pingIntervalMs: number,
  ) {
    // Slack pings the client; the client's serverPingTimeout only arms after the first ping.
    if (pingIntervalMs > 0) {
      this.pinger = setInterval(() => {
        for (const s of this.sockets) s.ping();
      }, pingIntervalMs);
      this.pinger.unref();
    }
  }

  /** `apps.connections.open`: a single-use ticket on the fake's WebSocket endpoint. */
  open(): ApiAnswer {
    const ticket = randomUUID();
    this.tickets.add(ticket);
    return { ok: true, url: `${this.wsBase()}/link/?ticket=${ticket}&app_id=${this.state.identity.appId}` };
  }

  /** Takes an HTTP upgrade to `/link/`; refuses unknown or reused tickets with 401. */
  upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const url = new URL(req.url ?? '/', 'http://fake');
    const ticket = url.searchParams.get('ticket') ?? '';
    if (url.pathname !== '/link/' || !this.tickets.delete(ticket)) {
      socket.end('HTTP/1.1 401 Unauthorized\r\nConnection: close\r\n\r\n');
      return;
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => this.accept(ws));
  }

  /** Number of open Socket Mode connections. */
  get connections(): number {
    return this.sockets.size;
  }

  /** Resolves once at least one client has connected (and received hello). */
  waitForConnection(timeoutMs = 3000): Promise<void> {
    return this.state
      .waitFor(() => this.sockets.size > 0, timeoutMs, 'a Socket Mode connection')
      .then(() => {});
  }

  /**
   * Sends an envelope to the oldest open connection and resolves with the ack's `payload` (`{}` when the
   * ack had none). Waits for a connection first, so it also works right after {@link drop}.
   */
  async send(
    type: EnvelopeType,
    payload: unknown,
    opts: EnvelopeOptions = {},
  ): Promise<Record<string, unknown>> {
    const timeoutMs = opts.timeoutMs ?? 3000;
    await this.waitForConnection(timeoutMs);
    const ws = [...this.sockets][0]!;
    const envelope_id = randomUUID();
    const envelope: Record<string, unknown> = {
      envelope_id,
      payload,
      type,
      accepts_response_payload: opts.acceptsResponsePayload ?? type === 'slash_commands',
    };
    if (type === 'events_api') {
      envelope.retry_attempt = opts.retryAttempt ?? 0;
      envelope.retry_reason = opts.retryReason ?? ((opts.retryAttempt ?? 0) > 0 ? 'timeout' : '');
    }
    const acked = new Promise<Record<string, unknown>>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(envelope_id);
        reject(new Error(`fake-slack: no ack for ${type} envelope within ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(envelope_id, (ackPayload) => {
        clearTimeout(timer);
        resolve(ackPayload);
      });
    });
    this.state.notify('envelope', envelope);
    ws.send(JSON.stringify(envelope));
    return acked;
  }

  /**
   * Drops every connection. `graceful` sends Slack's `{type:'disconnect', reason:'refresh_requested'}` and
   * lets the client close; otherwise the TCP connection is cut. Resolves once all are closed.
   */
  async drop(opts: { graceful?: boolean } = {}): Promise<void> {
    const closing = [...this.sockets].map(
      (ws) =>
        new Promise<void>((resolve) => {
          ws.once('close', () => resolve());
          if (opts.graceful) {
            ws.send(
              JSON.stringify({
                type: 'disconnect',
                reason: 'refresh_requested',
                debug_info: { host: 'fake' },
              }),
            );
          } else ws.terminate();
        }),
    );
    await Promise.all(closing);
  }

  /** Closes every connection and stops pinging. */
  close(): void {
    if (this.pinger) clearInterval(this.pinger);
    for (const ws of this.sockets) ws.terminate();
    this.wss.close();
  }

  private accept(ws: WebSocket): void {
    this.sockets.add(ws);
    ws.on('message', (data) => this.onMessage(data.toString()));
    ws.on('close', () => {
      this.sockets.delete(ws);
      this.state.notify('socket', { connected: false, connections: this.sockets.size });
    });
    ws.on('error', () => ws.terminate());
    ws.send(
      JSON.stringify({
        type: 'hello',
        num_connections: this.sockets.size,
        debug_info: { host: 'applink-fake', build_number: 1, approximate_connection_time: 18060 },
        connection_info: { app_id: this.state.identity.appId },
      }),
    );
    this.state.notify('socket', { connected: true, connections: this.sockets.size });
  }

  private onMessage(text: string): void {
    let msg: { envelope_id?: unknown; payload?: unknown };
    try {
      msg = JSON.parse(text);
    } catch {
      return;
    }
    if (typeof msg.envelope_id !== 'string') return;
    const payload = (typeof msg.payload === 'object' && msg.payload !== null ? msg.payload : {}) as Record<
      string,
      unknown
    >;
    this.state.notify('ack', { envelope_id: msg.envelope_id, payload });
    this.pending.get(msg.envelope_id)?.(payload);
    this.pending.delete(msg.envelope_id);
  }
}

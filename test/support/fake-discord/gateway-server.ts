import { randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import {
  GatewayCloseCodes,
  GatewayDispatchEvents,
  GatewayIntentBits,
  GatewayOpcodes,
} from 'discord-api-types/v10';
import { type WebSocket, WebSocketServer } from 'ws';
import type { ResolvedConfig } from './config.js';
import { guildCreatePayload } from './guild-payload.js';
import { apiUser } from './payloads.js';
import type { FakeDiscordState } from './state.js';

const PRIVILEGED =
  GatewayIntentBits.GuildMembers | GatewayIntentBits.GuildPresences | GatewayIntentBits.MessageContent;
/** How many dispatches a session keeps for RESUME replay. */
const REPLAY_BUFFER = 1000;

interface Session {
  id: string;
  intents: number;
  seq: number;
  buffer: Array<{ op: 0; t: string; s: number; d: unknown }>;
  socket: WebSocket | null;
}

/** Untrusted IDENTIFY data; each field is checked before use. */
interface IdentifyData {
  token?: unknown;
  intents?: unknown;
  shard?: unknown;
}

interface ResumeData {
  token?: unknown;
  session_id?: unknown;
  seq?: unknown;
}

/** Changes a dispatch for one session, e.g. blanking content without the MessageContent intent. */
export type DispatchTransform = (d: unknown, intents: number) => unknown;

/**
 * The gateway half of the fake: HELLO, heartbeat ACK, IDENTIFY → READY + GUILD_CREATE, RESUME with
 * replay of what was dispatched while the socket was down, and Discord's close codes.
 * @see https://discord.com/developers/docs/events/gateway
 */
export class FakeGateway {
  private readonly wss = new WebSocketServer({ noServer: true });
  private readonly sessions = new Map<string, Session>();

  constructor(
    private readonly state: FakeDiscordState,
    private readonly config: ResolvedConfig,
    private readonly url: () => string,
  ) {
    this.wss.on('connection', (socket, req) => this.onConnection(socket, req));
  }

  /** Hooked to the HTTP server's `upgrade` event; only `/gateway` upgrades. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    if (new URL(req.url ?? '/', 'http://x').pathname !== '/gateway') {
      socket.destroy();
      return;
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => this.wss.emit('connection', ws, req));
  }

  /** Sends an event to every identified session whose intents include `intent` (always, if omitted). */
  dispatch(t: string, d: unknown, intent?: number, transform?: DispatchTransform): void {
    for (const session of this.sessions.values()) {
      if (intent !== undefined && (session.intents & intent) === 0) continue;
      this.sendDispatch(session, t, transform ? transform(d, session.intents) : d);
    }
    this.state.changed(`dispatch:${t}`);
  }

  /**
   * Cuts every connection without a close frame, as a network failure would. With `resumable: false`
   * the sessions are forgotten too, so the client is told INVALID_SESSION and must IDENTIFY again.
   * @returns the number of sockets cut
   */
  drop(options: { resumable?: boolean } = {}): number {
    let dropped = 0;
    for (const session of this.sessions.values()) {
      if (options.resumable === false) this.sessions.delete(session.id);
      if (session.socket) {
        session.socket.terminate();
        session.socket = null;
        dropped++;
      }
    }
    return dropped;
  }

  /** Sends op 7 RECONNECT, which makes discord.js close and RESUME. */
  requestReconnect(): void {
    for (const session of this.sessions.values())
      session.socket?.send(JSON.stringify({ op: GatewayOpcodes.Reconnect, d: null }));
  }

  /** Number of sessions with an open socket. */
  get connectedSessions(): number {
    return [...this.sessions.values()].filter((s) => s.socket).length;
  }

  async close(): Promise<void> {
    for (const client of this.wss.clients) client.terminate();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
  }

  private onConnection(socket: WebSocket, req: IncomingMessage): void {
    this.state.gateway.connections++;
    const params = new URL(req.url ?? '/', 'http://x').searchParams;
    if (params.get('v') !== '10') {
      socket.close(GatewayCloseCodes.InvalidAPIVersion, 'Invalid API version');
      return;
    }
    if ((params.get('encoding') ?? 'json') !== 'json') {
      socket.close(GatewayCloseCodes.DecodeError, 'Error while decoding payload.');
      return;
    }
    let session: Session | null = null;
    socket.on('close', (code) => {
      if (session?.socket === socket) session.socket = null;
      // A clean 1000/1001 close ends the session on Discord; other codes keep it resumable.
      if (session && (code === 1000 || code === 1001)) this.sessions.delete(session.id);
      this.state.changed('gateway:close');
    });
    socket.on('message', (raw) => {
      let payload: { op?: number; d?: unknown };
      try {
        payload = JSON.parse(raw.toString());
      } catch {
        return socket.close(GatewayCloseCodes.DecodeError, 'Error while decoding payload.');
      }
      session = this.onPayload(socket, session, payload);
    });
    socket.send(
      JSON.stringify({
        op: GatewayOpcodes.Hello,
        d: { heartbeat_interval: this.config.heartbeatIntervalMs },
        s: null,
        t: null,
      }),
    );
    this.state.changed('gateway:open');
  }

  private onPayload(
    socket: WebSocket,
    session: Session | null,
    payload: { op?: number; d?: unknown },
  ): Session | null {
    switch (payload.op) {
      case GatewayOpcodes.Heartbeat:
        this.state.gateway.heartbeats++;
        socket.send(JSON.stringify({ op: GatewayOpcodes.HeartbeatAck }));
        return session;
      case GatewayOpcodes.Identify:
        if (session)
          return this.fail(socket, GatewayCloseCodes.AlreadyAuthenticated, 'Already authenticated.');
        return this.identify(socket, (payload.d ?? {}) as IdentifyData);
      case GatewayOpcodes.Resume:
        if (session)
          return this.fail(socket, GatewayCloseCodes.AlreadyAuthenticated, 'Already authenticated.');
        return this.resume(socket, (payload.d ?? {}) as ResumeData);
      case GatewayOpcodes.PresenceUpdate:
      case GatewayOpcodes.VoiceStateUpdate:
      case GatewayOpcodes.RequestGuildMembers:
        if (!session) return this.fail(socket, GatewayCloseCodes.NotAuthenticated, 'Not authenticated.');
        return session;
      default:
        return this.fail(socket, GatewayCloseCodes.UnknownOpcode, 'Unknown opcode.');
    }
  }

  private fail(socket: WebSocket, code: number, reason: string): null {
    socket.close(code, reason);
    return null;
  }

  private identify(socket: WebSocket, d: IdentifyData): Session | null {
    if (d.token !== this.config.token)
      return this.fail(socket, GatewayCloseCodes.AuthenticationFailed, 'Authentication failed.');
    if (typeof d.intents !== 'number')
      return this.fail(socket, GatewayCloseCodes.DecodeError, 'Error while decoding payload.');
    if (d.intents & PRIVILEGED & ~this.config.privilegedIntents) {
      return this.fail(socket, GatewayCloseCodes.DisallowedIntents, 'Disallowed intent(s).');
    }
    const [shardId, shardCount] = Array.isArray(d.shard) ? (d.shard as number[]) : [0, 1];
    if (!(shardCount! >= 1 && shardId! >= 0 && shardId! < shardCount!)) {
      return this.fail(socket, GatewayCloseCodes.InvalidShard, 'Invalid shard.');
    }
    const session: Session = {
      id: randomBytes(16).toString('hex'),
      intents: d.intents,
      seq: 0,
      buffer: [],
      socket,
    };
    this.sessions.set(session.id, session);
    this.state.gateway.identifies++;
    const bot = this.state.users.get(this.config.applicationId)!;
    this.sendDispatch(session, GatewayDispatchEvents.Ready, {
      v: 10,
      user: { ...apiUser(bot), verified: true, mfa_enabled: false, flags: 0 },
      guilds: [{ id: this.config.guildId, unavailable: true }],
      session_id: session.id,
      resume_gateway_url: this.url(),
      shard: [shardId, shardCount],
      application: { id: this.config.applicationId, flags: 0 },
      user_settings: {},
      private_channels: [],
      presences: [],
      relationships: [],
      guild_join_requests: [],
      geo_ordered_rtc_regions: [],
    });
    this.sendDispatch(
      session,
      GatewayDispatchEvents.GuildCreate,
      guildCreatePayload(this.state, this.config, session.intents),
    );
    this.state.changed('gateway:identify');
    return session;
  }

  private resume(socket: WebSocket, d: ResumeData): Session | null {
    if (d.token !== this.config.token)
      return this.fail(socket, GatewayCloseCodes.AuthenticationFailed, 'Authentication failed.');
    const session = this.sessions.get(String(d.session_id));
    if (!session) {
      this.state.gateway.invalidSessions++;
      // Discord waits 1–5 s before INVALID_SESSION; the client then waits too, so a short pause is faithful enough.
      socket.send(JSON.stringify({ op: GatewayOpcodes.InvalidSession, d: false }));
      this.state.changed('gateway:invalid-session');
      return null;
    }
    const seq = Number(d.seq ?? 0);
    if (seq > session.seq) return this.fail(socket, GatewayCloseCodes.InvalidSeq, 'Invalid seq.');
    session.socket?.terminate();
    session.socket = socket;
    for (const event of session.buffer) if (event.s > seq) socket.send(JSON.stringify(event));
    this.state.gateway.resumes++;
    this.sendDispatch(session, GatewayDispatchEvents.Resumed, {});
    this.state.changed('gateway:resume');
    return session;
  }

  private sendDispatch(session: Session, t: string, d: unknown): void {
    const event = { op: 0 as const, t, s: ++session.seq, d };
    session.buffer.push(event);
    if (session.buffer.length > REPLAY_BUFFER) session.buffer.shift();
    this.state.gateway.dispatched.push({ t, s: event.s, d });
    session.socket?.send(JSON.stringify(event));
  }
}

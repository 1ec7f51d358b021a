import { EventEmitter } from 'node:events';
import type {
  FakeApiCall,
  FakeChannel,
  FakeEphemeral,
  FakeMessage,
  FakeRateLimitHit,
  FakeResponseUrlPost,
  FakeUser,
  FakeUsergroup,
} from './types.js';

/** Identity of the fake app and workspace. */
export interface FakeIdentity {
  teamId: string;
  teamDomain: string;
  appId: string;
  botId: string;
  botUserId: string;
}

/**
 * Everything the fake workspace holds, readable by tests. Every mutation emits `change` (what `waitFor`
 * listens to) plus a specific event: `call`, `message`, `update`, `delete`, `reaction`, `ephemeral`,
 * `responseUrl`, `ratelimited`, `envelope`, `ack`, `socket`.
 */
export class FakeSlackState extends EventEmitter {
  readonly channels = new Map<string, Required<Omit<FakeChannel, 'members'>> & { members?: string[] }>();
  readonly users = new Map<string, FakeUser>();
  readonly usergroups = new Map<string, FakeUsergroup>();
  /** Every message ever stored, per channel, in ts order (replies included, deleted ones flagged). */
  readonly messages = new Map<string, FakeMessage[]>();
  readonly ephemerals: FakeEphemeral[] = [];
  readonly responseUrlPosts: FakeResponseUrlPost[] = [];
  /** Every Web API request, in arrival order. */
  readonly calls: FakeApiCall[] = [];
  /** Every 429 answered; a test asserts `rateLimited.length === 0` for "never rate limited". */
  readonly rateLimited: FakeRateLimitHit[] = [];
  private lastTsMicros = 0;

  constructor(
    readonly identity: FakeIdentity,
    readonly clock: () => number,
  ) {
    super();
    this.setMaxListeners(0);
  }

  /** Adds or replaces a channel. */
  addChannel(c: FakeChannel): void {
    this.channels.set(c.id, {
      id: c.id,
      name: c.name,
      isPrivate: c.isPrivate ?? false,
      isArchived: c.isArchived ?? false,
      botIsMember: c.botIsMember ?? true,
      members: c.members,
    });
    if (!this.messages.has(c.id)) this.messages.set(c.id, []);
  }

  /** Finds a channel by id, `#name` or `name` (chat.postMessage accepts all three). */
  resolveChannel(idOrName: unknown) {
    if (typeof idOrName !== 'string' || idOrName === '') return undefined;
    const byId = this.channels.get(idOrName);
    if (byId) return byId;
    const name = idOrName.replace(/^#/, '');
    return [...this.channels.values()].find((c) => c.name === name);
  }

  /** A new message ts: `seconds.micros`, unique and increasing even within one millisecond. */
  nextTs(): string {
    const micros = Math.max(this.lastTsMicros + 1, Math.floor(this.clock() * 1000));
    this.lastTsMicros = micros;
    return `${Math.floor(micros / 1e6)}.${String(micros % 1e6).padStart(6, '0')}`;
  }

  /** Stores a message (a thread reply when `thread_ts` is set) and updates the parent's thread fields. */
  addMessage(channel: string, m: { user: string; text: string; blocks?: unknown[]; thread_ts?: string }) {
    const { botUserId, botId, appId } = this.identity;
    const msg: FakeMessage = {
      type: 'message',
      channel,
      ts: this.nextTs(),
      user: m.user,
      text: m.text,
      edits: [],
    };
    if (m.blocks) msg.blocks = m.blocks;
    if (m.user === botUserId) Object.assign(msg, { bot_id: botId, app_id: appId });
    if (m.thread_ts) {
      const parent = this.findMessage(channel, m.thread_ts);
      if (parent) {
        msg.thread_ts = parent.ts;
        parent.thread_ts = parent.ts;
        parent.reply_count = (parent.reply_count ?? 0) + 1;
        parent.reply_users = [...new Set([...(parent.reply_users ?? []), m.user])];
        parent.latest_reply = msg.ts;
      }
    }
    this.list(channel).push(msg);
    this.notify('message', msg);
    return msg;
  }

  /** A stored, not deleted message. */
  findMessage(channel: string, ts: unknown): FakeMessage | undefined {
    return this.list(channel).find((m) => m.ts === ts && !m.deleted);
  }

  /** What a user sees in the channel: top-level messages (thread replies excluded), oldest first. */
  channelMessages(channel: string): FakeMessage[] {
    return this.list(channel).filter((m) => !m.deleted && (!m.thread_ts || m.thread_ts === m.ts));
  }

  /** A thread: the parent then its replies in order; empty when the parent does not exist. */
  thread(channel: string, ts: string): FakeMessage[] {
    const parent = this.findMessage(channel, ts);
    if (!parent) return [];
    const replies = this.list(channel).filter((m) => !m.deleted && m.thread_ts === ts && m.ts !== ts);
    return [parent, ...replies];
  }

  /** Replaces text/blocks, keeping the previous version in `edits`. */
  editMessage(msg: FakeMessage, change: { text: string; blocks?: unknown[] }, editor: string): void {
    const editedTs = this.nextTs();
    msg.edits.push({ text: msg.text, blocks: msg.blocks, editedTs });
    msg.text = change.text;
    if (change.blocks) msg.blocks = change.blocks;
    else delete msg.blocks;
    msg.edited = { user: editor, ts: editedTs };
    this.notify('update', msg);
  }

  deleteMessage(msg: FakeMessage): void {
    msg.deleted = true;
    this.notify('delete', msg);
  }

  /** Adds `user`'s reaction; answers the Slack error code when refused. */
  addReaction(
    channel: string,
    ts: string,
    user: string,
    name: string,
  ): 'ok' | 'already_reacted' | 'message_not_found' {
    const msg = this.findMessage(channel, ts);
    if (!msg) return 'message_not_found';
    msg.reactions ??= [];
    let r = msg.reactions.find((x) => x.name === name);
    if (r?.users.includes(user)) return 'already_reacted';
    if (!r) {
      r = { name, users: [], count: 0 };
      msg.reactions.push(r);
    }
    r.users.push(user);
    r.count = r.users.length;
    this.notify('reaction', { channel, ts, user, name, added: true });
    return 'ok';
  }

  /** Removes `user`'s reaction; answers the Slack error code when refused. */
  removeReaction(
    channel: string,
    ts: string,
    user: string,
    name: string,
  ): 'ok' | 'no_reaction' | 'message_not_found' {
    const msg = this.findMessage(channel, ts);
    if (!msg) return 'message_not_found';
    const r = msg.reactions?.find((x) => x.name === name);
    if (!r?.users.includes(user)) return 'no_reaction';
    r.users = r.users.filter((u) => u !== user);
    r.count = r.users.length;
    if (r.count === 0) msg.reactions = msg.reactions?.filter((x) => x !== r);
    this.notify('reaction', { channel, ts, user, name, added: false });
    return 'ok';
  }

  /** Names of the reactions `user` has on a message. */
  reactionsBy(channel: string, ts: string, user: string): string[] {
    const msg = this.findMessage(channel, ts);
    return (msg?.reactions ?? []).filter((r) => r.users.includes(user)).map((r) => r.name);
  }

  addEphemeral(e: Omit<FakeEphemeral, 'message_ts'>): FakeEphemeral {
    const stored = { ...e, message_ts: this.nextTs() };
    this.ephemerals.push(stored);
    this.notify('ephemeral', stored);
    return stored;
  }

  /** Ephemeral messages shown to one user, oldest first. */
  ephemeralsFor(user: string): FakeEphemeral[] {
    return this.ephemerals.filter((e) => e.user === user);
  }

  /** Emits the specific event and `change`. */
  notify(kind: string, payload: unknown): void {
    this.emit(kind, payload);
    this.emit('change', kind, payload);
  }

  /**
   * Resolves with the first truthy value of `predicate`, evaluated now and after every state change.
   * Rejects after `timeoutMs` with a message naming what was awaited.
   */
  waitFor<T>(
    predicate: () => T | undefined | null | false,
    timeoutMs = 2000,
    what = 'condition',
  ): Promise<T> {
    return new Promise((resolve, reject) => {
      const check = () => {
        let value: T | undefined | null | false;
        try {
          value = predicate();
        } catch (err) {
          done();
          reject(err);
          return;
        }
        if (value) {
          done();
          resolve(value);
        }
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`fake-slack: timed out after ${timeoutMs} ms waiting for ${what}`));
      }, timeoutMs);
      const done = () => {
        clearTimeout(timer);
        this.off('change', check);
      };
      this.on('change', check);
      check();
    });
  }

  private list(channel: string): FakeMessage[] {
    let l = this.messages.get(channel);
    if (!l) {
      l = [];
      this.messages.set(channel, l);
    }
    return l;
  }
}

/** A message as the Web API returns it (without the fake's bookkeeping fields). */
export function toSlackJson(m: FakeMessage): Record<string, unknown> {
  const { edits: _edits, deleted: _deleted, channel: _channel, ...rest } = m;
  return structuredClone(rest);
}

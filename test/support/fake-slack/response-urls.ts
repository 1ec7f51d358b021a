import { randomBytes } from 'node:crypto';
import { parseContent } from './message-content.js';
import type { FakeSlackState } from './state.js';

/** Slack accepts at most 5 posts to one response_url, within 30 minutes of the user's action. */
export const RESPONSE_URL_MAX_USES = 5;
export const RESPONSE_URL_TTL_MS = 30 * 60_000;

/** Where a response_url's answers go. */
export interface ResponseTarget {
  kind: 'commands' | 'actions';
  channel: string;
  /** The user who typed the command or clicked; ephemeral answers go to them. */
  user: string;
  /** For actions: the message holding the clicked element (what `replace_original` edits). */
  messageTs?: string;
}

interface Entry extends ResponseTarget {
  createdAt: number;
  uses: number;
}

/** Outcome of a response_url post or of an ack body. */
export interface ResponseOutcome {
  status: number;
  outcome: string;
}

/** The response_url endpoints the fake hands out with slash commands and interactions. */
export class ResponseUrls {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly state: FakeSlackState,
    private readonly baseUrl: () => string,
  ) {}

  /** Creates a URL like Slack's `https://hooks.slack.com/commands/T…/…/…`, on the fake's port. */
  create(target: ResponseTarget): string {
    const path = `/${target.kind}/${this.state.identity.teamId}/${Date.now()}${randomBytes(3).toString('hex')}/${randomBytes(12).toString('hex')}`;
    this.entries.set(path, { ...target, createdAt: this.state.clock(), uses: 0 });
    return `${this.baseUrl()}${path}`;
  }

  /** True when `path` looks like one of ours (even if unknown or expired). */
  owns(path: string): boolean {
    return /^\/(commands|actions)\//.test(path);
  }

  /** Handles a POST to a response_url, recording it in `state.responseUrlPosts`. */
  post(path: string, rawBody: string): ResponseOutcome {
    const url = `${this.baseUrl()}${path}`;
    let body: Record<string, unknown> = {};
    let result: ResponseOutcome;
    const entry = this.entries.get(path);
    try {
      body = JSON.parse(rawBody) as Record<string, unknown>;
    } catch {
      body = { raw: rawBody };
    }
    if (!entry) result = { status: 404, outcome: 'no_service' };
    else if (typeof body !== 'object' || body === null || 'raw' in body)
      result = { status: 400, outcome: 'invalid_payload' };
    else if (this.state.clock() - entry.createdAt > RESPONSE_URL_TTL_MS)
      result = { status: 404, outcome: 'expired_url' };
    else if (entry.uses >= RESPONSE_URL_MAX_USES) result = { status: 404, outcome: 'used_url' };
    else {
      result = this.apply(entry, body, 'response_url');
      if (result.status === 200) entry.uses += 1;
    }
    const record = { url, body, status: result.status, outcome: result.outcome };
    this.state.responseUrlPosts.push(record);
    this.state.notify('responseUrl', record);
    return result;
  }

  /**
   * Applies the body of the app's ack to a slash command, as Slack shows it: ephemeral to the user unless
   * `response_type: 'in_channel'`. Empty bodies show nothing.
   */
  applyAck(responseUrl: string, body: unknown): ResponseOutcome | undefined {
    if (typeof body !== 'object' || body === null) return undefined;
    const b = body as Record<string, unknown>;
    if (b.text === undefined && b.blocks === undefined) return undefined;
    const entry = this.entries.get(new URL(responseUrl).pathname);
    return entry ? this.apply(entry, b, 'ack') : undefined;
  }

  private apply(entry: Entry, body: Record<string, unknown>, via: 'response_url' | 'ack'): ResponseOutcome {
    const { state } = this;
    const original = entry.messageTs ? state.findMessage(entry.channel, entry.messageTs) : undefined;
    const ephemeralOriginal = entry.messageTs
      ? state.ephemerals.find((e) => e.message_ts === entry.messageTs)
      : undefined;
    if (body.delete_original === true || body.delete_original === 'true') {
      if (original) state.deleteMessage(original);
      else if (!ephemeralOriginal) return { status: 404, outcome: 'message_not_found' };
      return { status: 200, outcome: 'delete_original' };
    }
    const content = parseContent(body);
    if (!content.ok) return { status: 400, outcome: content.error };
    const { text, blocks } = content;
    if (body.replace_original === true || body.replace_original === 'true') {
      if (original) state.editMessage(original, { text, blocks }, state.identity.botUserId);
      else if (ephemeralOriginal) {
        ephemeralOriginal.text = text;
        ephemeralOriginal.blocks = blocks;
        state.notify('ephemeral', ephemeralOriginal);
      } else return { status: 404, outcome: 'message_not_found' };
      return { status: 200, outcome: 'replace_original' };
    }
    const threadTs = typeof body.thread_ts === 'string' ? body.thread_ts : undefined;
    if (body.response_type === 'in_channel') {
      state.addMessage(entry.channel, { user: state.identity.botUserId, text, blocks, thread_ts: threadTs });
      return { status: 200, outcome: 'in_channel' };
    }
    state.addEphemeral({ channel: entry.channel, user: entry.user, text, blocks, thread_ts: threadTs, via });
    return { status: 200, outcome: 'ephemeral' };
  }
}

import { EventEmitter } from 'node:events';
import type {
  APIApplicationCommand,
  APIAttachment,
  APIEmbed,
  APIMessageTopLevelComponent,
  ChannelType,
  InteractionResponseType,
  InteractionType,
  ThreadAutoArchiveDuration,
} from 'discord-api-types/v10';

/** A user known to the fake (the bot included). */
export interface FakeUser {
  id: string;
  username: string;
  globalName: string | null;
  bot: boolean;
}

/** A guild member: a user plus the role ids that approval checks look at. */
export interface FakeMember {
  userId: string;
  roles: string[];
  nick: string | null;
  joinedAt: string;
}

/** A guild role; `permissions` is the decimal string Discord sends. */
export interface FakeRole {
  id: string;
  name: string;
  permissions: string;
  position: number;
}

/** A guild channel or a thread (threads are channels with a parent, as in Discord). */
export interface FakeChannel {
  id: string;
  type: ChannelType;
  name: string;
  guildId: string;
  parentId: string | null;
  position: number;
  /** Thread fields; unused for plain channels. */
  ownerId: string | null;
  archived: boolean;
  locked: boolean;
  autoArchiveDuration: ThreadAutoArchiveDuration;
  archiveTimestamp: string;
  createdAt: string;
  /** Messages ever sent in a thread (Discord's `total_message_sent`). */
  messagesSent: number;
}

/** One earlier version of an edited message. */
export interface FakeMessageVersion {
  at: string;
  content: string;
  embeds: APIEmbed[];
  components: APIMessageTopLevelComponent[];
}

/** A message as stored; turned into an APIMessage on the way out. */
export interface FakeMessage {
  id: string;
  channelId: string;
  authorId: string;
  content: string;
  embeds: APIEmbed[];
  components: APIMessageTopLevelComponent[];
  attachments: APIAttachment[];
  flags: number;
  type: number;
  createdAt: string;
  editedAt: string | null;
  /** Earlier versions, oldest first; the current version is the message itself. */
  edits: FakeMessageVersion[];
  /** Emoji key (`✅`, or `name:id` for custom emoji) → ids of users who reacted, in order. */
  reactions: Map<string, string[]>;
  /** Id of the thread started from this message (equals the message id). */
  threadId: string | null;
  /** Set when the message answers an interaction (reply, deferred reply or followup). */
  interactionId: string | null;
  webhookId: string | null;
  referencedMessageId: string | null;
  deleted: boolean;
}

/** One answer the bot gave through `POST /interactions/:id/:token/callback`. */
export interface FakeInteractionResponse {
  type: InteractionResponseType;
  data: Record<string, unknown> | undefined;
  ephemeral: boolean;
  at: number;
}

/** An interaction the test dispatched, with everything the bot did about it. */
export interface FakeInteraction {
  id: string;
  token: string;
  type: InteractionType;
  /** Command name or component custom_id, for easy lookup. */
  name: string;
  channelId: string;
  userId: string;
  createdAt: number;
  responses: FakeInteractionResponse[];
  /** The message that `@original` refers to (reply, deferred reply, or the clicked message). */
  originalMessageId: string | null;
  followupMessageIds: string[];
  /** Autocomplete choices the bot answered with (type 8). */
  choices: unknown[] | null;
  /** Set by `expireInteraction()` or once the 15-minute token lifetime is over. */
  tokenExpired: boolean;
  /** The INTERACTION_CREATE data as dispatched. */
  payload: Record<string, unknown>;
}

/** One REST call as the fake saw it. The Authorization header is never recorded. */
export interface FakeCall {
  at: number;
  method: string;
  path: string;
  /** The matched route pattern, e.g. `POST /channels/:channel/messages`, or null if none matched. */
  route: string | null;
  query: Record<string, string>;
  body: unknown;
  status: number;
  authorized: boolean;
}

/** What the gateway did, for tests about reconnects. */
export interface FakeGatewayStats {
  connections: number;
  identifies: number;
  resumes: number;
  invalidSessions: number;
  heartbeats: number;
  /** Every dispatch sent (or queued for resume), with its sequence number. */
  dispatched: Array<{ t: string; s: number; d: unknown }>;
}

/** Everything the fake knows. Tests read it directly; the fake mutates it and calls `changed()`. */
export class FakeDiscordState extends EventEmitter {
  readonly users = new Map<string, FakeUser>();
  readonly members = new Map<string, FakeMember>();
  readonly roles = new Map<string, FakeRole>();
  readonly channels = new Map<string, FakeChannel>();
  /** Channel or thread id → messages in posting order. */
  readonly messagesByChannel = new Map<string, FakeMessage[]>();
  readonly messageById = new Map<string, FakeMessage>();
  readonly interactions = new Map<string, FakeInteraction>();
  readonly commands = {
    global: [] as APIApplicationCommand[],
    guild: new Map<string, APIApplicationCommand[]>(),
  };
  readonly calls: FakeCall[] = [];
  readonly rateLimited = { total: 0, global: 0, route: 0 };
  /** 401, 403 and 429 answers: Discord bans a bot that makes 10,000 of them in 10 minutes. */
  invalidRequests = 0;
  readonly gateway: FakeGatewayStats = {
    connections: 0,
    identifies: 0,
    resumes: 0,
    invalidSessions: 0,
    heartbeats: 0,
    dispatched: [],
  };

  /** Messages in a channel or thread (deleted ones excluded). */
  messages(channelId: string): FakeMessage[] {
    return (this.messagesByChannel.get(channelId) ?? []).filter((m) => !m.deleted);
  }

  /** What any member would see in the channel: no ephemeral messages, no deleted ones. */
  visibleMessages(channelId: string): FakeMessage[] {
    return this.messages(channelId).filter((m) => (m.flags & 64) === 0);
  }

  /** Stores a new message and indexes it. */
  addMessage(message: FakeMessage): void {
    const list = this.messagesByChannel.get(message.channelId) ?? [];
    list.push(message);
    this.messagesByChannel.set(message.channelId, list);
    this.messageById.set(message.id, message);
  }

  /** Tells waiters that something changed. */
  changed(what: string): void {
    this.emit('change', what);
  }
}

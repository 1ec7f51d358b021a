import type { Core } from '../create-core.js';
import { listenToChannel, type PgListener } from '../db/pg-listener.js';
import { DEPLOYMENT_CHANGES_CHANNEL } from './change-announcements.js';
import type { DeploymentState } from './lifecycle.js';

/** One deployment event with the state of its deployment after it, as live views show it. */
export interface FeedItem {
  /** The event's id (a bigint, as a decimal string): the stream's resume position. */
  id: string;
  deploymentId: number;
  stage: string;
  message: string | null;
  progress: number | null;
  source: string;
  state: DeploymentState | null;
  receivedAt: Date;
  deployment: {
    id: number;
    status: DeploymentState;
    hostname: string;
    mac: string;
    os: string;
    stage: string | null;
    progress: number | null;
  };
}

export interface FeedSubscriber {
  /** Items in id order per delivery (a late-committed lower id may follow in a later delivery). */
  deliver(items: FeedItem[]): void;
  /** The feed stopped (the server is shutting down). */
  closed(): void;
}

/** Every deployment event of every process, live, for the dashboard's stream. */
export interface EventFeed {
  /**
   * Delivers events after `afterId` (null: only new ones) and then every new one until `unsubscribe`.
   * Answers `tooFarBehind` instead when more than `maxBackfill` events were missed (the caller should
   * tell the client to reload rather than replay them all).
   */
  subscribe(
    afterId: string | null,
    subscriber: FeedSubscriber,
  ): Promise<{ unsubscribe(): void } | { tooFarBehind: true }>;
  /** The newest event id now ('0' when there is none): where a freshly rendered page resumes. */
  latestId(): Promise<string>;
  /** Ends every subscription and the LISTEN connection. */
  close(): Promise<void>;
}

export interface EventFeedOptions {
  /**
   * Safety net for changes nobody announced on Postgres (a process that runs a worker publishes its own
   * changes into BullMQ instead): how often the feed looks while someone is subscribed. @defaultValue 5000
   */
  pollMs?: number;
  /** Most events replayed on resume before asking for a reload. @defaultValue 1000 */
  maxBackfill?: number;
}

const SELECT = `select e.id::text as id, e.deployment_id, e.stage, e.message, e.progress, e.source, e.state,
  e.received_at, d.status, d.hostname, d.mac, d.os, d.stage as d_stage, d.progress as d_progress
  from deployment_event e join deployment d on d.id = e.deployment_id`;

/**
 * Re-reads this many ids below the newest one delivered: event ids come from a sequence taken before
 * commit, so a transaction holding a lower id can commit after a higher one was already read.
 */
const OVERLAP = 256n;
/** Most events read per pull; a larger burst is read over several pulls. */
const PAGE = 500;

/**
 * The dashboard's live feed. It hears changes of this process (`core.onChange`) and of every other boot
 * server and bot (their announcements on {@link DEPLOYMENT_CHANGES_CHANNEL}), then reads what is new from
 * `deployment_event`: Postgres stays the truth, a notification is only a wake-up. The LISTEN connection
 * and the poll run only while someone is subscribed.
 */
export function createEventFeed(
  core: Pick<Core, 'sql' | 'onChange' | 'config' | 'logger'>,
  opts: EventFeedOptions = {},
): EventFeed {
  const pollMs = opts.pollMs ?? 5000;
  const maxBackfill = opts.maxBackfill ?? 1000;
  const subscribers = new Set<FeedSubscriber>();
  let cursor: bigint | null = null;
  /** Newest id when the feed started; older events are never delivered live. */
  let floor = 0n;
  /** Bumped each time the feed stops. */
  let generation = 0;
  /** Ids delivered within the overlap window, so re-reading it delivers nothing twice. */
  const recent = new Set<string>();
  let listener: PgListener | null = null;
  let poll: NodeJS.Timeout | undefined;
  let pulling: Promise<void> | null = null;
  let again = false;
  let closed = false;

  const toItem = (r: Record<string, unknown>): FeedItem => ({
    id: r.id as string,
    deploymentId: r.deployment_id as number,
    stage: r.stage as string,
    message: r.message as string | null,
    progress: r.progress as number | null,
    source: r.source as string,
    state: r.state as DeploymentState | null,
    receivedAt: r.received_at as Date,
    deployment: {
      id: r.deployment_id as number,
      status: r.status as DeploymentState,
      hostname: r.hostname as string,
      mac: r.mac as string,
      os: r.os as string,
      stage: r.d_stage as string | null,
      progress: r.d_progress as number | null,
    },
  });

  const latest = async (): Promise<bigint> => {
    const { rows } = await core.sql.query('select coalesce(max(id), 0)::text as id from deployment_event');
    return BigInt(rows[0].id);
  };

  const pullOnce = async (): Promise<void> => {
    // A pull still running when the last subscriber left must not leave its position for the next start.
    const run = generation;
    if (cursor === null) {
      // Start where the table is now: what came before belongs to each subscriber's own backlog.
      const now = await latest();
      if (run !== generation) return;
      floor = now;
      cursor = now;
    }
    let at: bigint = cursor;
    for (;;) {
      const from: bigint = at > OVERLAP ? at - OVERLAP : 0n;
      const result = await core.sql.query(`${SELECT} where e.id > $1 order by e.id limit ${PAGE}`, [
        from.toString(),
      ]);
      if (run !== generation) return;
      const rows = result.rows as Record<string, unknown>[];
      const fresh = rows.map(toItem).filter((item) => !recent.has(item.id) && BigInt(item.id) > floor);
      for (const item of fresh) {
        recent.add(item.id);
        if (BigInt(item.id) > at) at = BigInt(item.id);
      }
      cursor = at;
      for (const id of recent) if (BigInt(id) <= at - OVERLAP) recent.delete(id);
      if (fresh.length) for (const s of [...subscribers]) s.deliver(fresh);
      if (rows.length < PAGE) return;
    }
  };

  /** One pull at a time; wake-ups during a pull make one more. */
  const pull = () => {
    if (closed || !subscribers.size) return;
    if (pulling) {
      again = true;
      return;
    }
    pulling = pullOnce()
      .catch((error) => core.logger.warn({ err: error }, 'reading new deployment events failed; retrying'))
      .finally(() => {
        pulling = null;
        if (again) {
          again = false;
          pull();
        }
      });
  };

  // core has no unsubscribe: the listener stays and does nothing while nobody watches.
  core.onChange(() => pull());

  const start = () => {
    listener = listenToChannel(core.config.DATABASE_URL, DEPLOYMENT_CHANGES_CHANNEL, {
      onNotification: pull,
      // Announcements made while the connection was down were not heard.
      onListening: pull,
      onError: (error) =>
        core.logger.warn({ err: error }, 'dashboard change notifications interrupted; polling until back'),
    });
    poll = setInterval(pull, pollMs);
    poll.unref();
  };
  const stop = () => {
    generation++;
    clearInterval(poll);
    const l = listener;
    listener = null;
    cursor = null;
    recent.clear();
    void l?.close();
  };

  return {
    async subscribe(afterId, subscriber) {
      if (closed) throw new Error('the event feed is closed');
      if (afterId !== null && !/^\d{1,19}$/.test(afterId)) afterId = null;
      // Live items that arrive while the backlog is read are held, then sent after it without repeats.
      const held: FeedItem[] = [];
      let live = false;
      const sent = new Set<string>();
      const gate: FeedSubscriber = {
        deliver: (items) => {
          if (!live) held.push(...items);
          else subscriber.deliver(items.filter((i) => !sent.has(i.id)));
        },
        closed: () => subscriber.closed(),
      };
      subscribers.add(gate);
      if (subscribers.size === 1) start();
      const unsubscribe = () => {
        if (subscribers.delete(gate) && subscribers.size === 0) stop();
      };
      if (afterId !== null) {
        const { rows } = await core.sql.query(`${SELECT} where e.id > $1 order by e.id limit $2`, [
          afterId,
          maxBackfill + 1,
        ]);
        if (rows.length > maxBackfill) {
          unsubscribe();
          return { tooFarBehind: true };
        }
        const backlog = rows.map(toItem);
        for (const item of backlog) sent.add(item.id);
        if (backlog.length) subscriber.deliver(backlog);
      }
      live = true;
      const rest = held.filter((i) => !sent.has(i.id));
      sent.clear(); // only needed to dedupe the held items against the backlog
      if (rest.length) subscriber.deliver(rest);
      pull();
      return { unsubscribe };
    },
    async latestId() {
      return (await latest()).toString();
    },
    async close() {
      closed = true;
      for (const s of [...subscribers]) s.closed();
      subscribers.clear();
      stop();
      await pulling;
    },
  };
}

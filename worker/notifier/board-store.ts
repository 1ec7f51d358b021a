import type { Redis } from 'ioredis';

/** A channel's board as last drawn. */
export interface BoardState {
  /** Whether the channel is still saturated (the board keeps redrawing); off once it lapsed. */
  on: boolean;
  /** The board's message, once posted. */
  messageId: string | null;
  /** The hash of what the board shows now, so an unchanged channel is not redrawn. */
  hash: string | null;
  /** How many finished deployments it shows, and when it was drawn (ms since the epoch; 0: never). */
  finished: number;
  drawnAt: number;
  /**
   * The board shows the deployments under way and those finished since this time (ms since the epoch):
   * {@link LOOK_BACK_MS} before it came up, as the burst that saturated the channel came just before.
   */
  since: number;
}

/**
 * Which channels show a board, and what it shows (worker/notifier/channel-board.ts). A hint in Redis,
 * like digest mode: the mode lapses by itself when no saturated card edit renews it, and losing the
 * record only means the next saturation posts a new board.
 */
export interface BoardStore {
  /**
   * Switches the channel's board on (a new board when none is up), or keeps it on a while longer; true
   * when it was off.
   */
  switchOn(platform: string, channelId: string): Promise<boolean>;
  state(platform: string, channelId: string): Promise<BoardState | null>;
  drawn(
    platform: string,
    channelId: string,
    drawing: { messageId: string; hash: string; finished: number },
  ): Promise<void>;
}

/** How far back a new board reaches for deployments that finished before it came up. */
export const LOOK_BACK_MS = 5 * 60_000;
/** How long the board stays on without a saturated card edit renewing it. */
const LIFETIME_MS = 10_000;
/**
 * How long a board's record outlives its last redraw: a channel saturated again within this time goes on
 * with the same board (one board per busy spell, not one per burst); later it gets a new one.
 */
const RECORD_MS = 15 * 60_000;

export function createBoardStore(redis: Redis, prefix: string): BoardStore {
  const key = (platform: string, channelId: string) => `${prefix}:board:${platform}:${channelId}`;
  return {
    async switchOn(platform, channelId) {
      const k = key(platform, channelId);
      const replies = await redis
        .multi()
        .set(`${k}:on`, '1', 'PX', LIFETIME_MS, 'GET')
        .hsetnx(k, 'since', String(Date.now() - LOOK_BACK_MS))
        .pexpire(k, RECORD_MS)
        .exec();
      return replies?.[0]?.[1] === null;
    },
    async state(platform, channelId) {
      const k = key(platform, channelId);
      const [on, record] = await Promise.all([redis.exists(`${k}:on`), redis.hgetall(k)]);
      if (!record.since) return null;
      return {
        on: on === 1,
        messageId: record.messageId ?? null,
        hash: record.hash ?? null,
        finished: Number(record.finished ?? 0),
        drawnAt: Number(record.drawnAt ?? 0),
        since: Number(record.since),
      };
    },
    async drawn(platform, channelId, { messageId, hash, finished }) {
      const k = key(platform, channelId);
      await redis
        .multi()
        .hset(k, { messageId, hash, finished: String(finished), drawnAt: String(Date.now()) })
        .pexpire(k, RECORD_MS)
        .exec();
    },
  };
}

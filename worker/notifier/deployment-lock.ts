import pg from 'pg';

/**
 * First half of the advisory lock key: "octofleet notifier" (the second half is the deployment id), and
 * the same for a batch's card and thread (the second half is the batch id).
 */
const LOCK_CLASS = { deployment: 0x0c7f_0001, batch: 0x0c7f_0002, channel: 0x0c7f_0003 } as const;

/**
 * Per-deployment mutual exclusion for the notifier across every worker process: a Postgres advisory
 * lock held by a transaction. If the process dies, its connection closes and Postgres releases the
 * lock; a Redis flush cannot break it. Uses its own small pool so lock holders never starve queries.
 */
export interface DeploymentLocks {
  /**
   * Runs `fn` holding the deployment's (or with `scope: 'batch'`, the batch's) lock; `{locked: false}`
   * right away when someone else holds it.
   */
  withLock<T>(
    id: number,
    fn: () => Promise<T>,
    scope?: keyof typeof LOCK_CLASS,
  ): Promise<{ locked: true; value: T } | { locked: false }>;
  /**
   * Runs `fn` holding a channel's digest lock and the locks of those of `deploymentIds` nobody else holds
   * (passed to `fn`): a digest carries only deployments whose own run is not posting right now.
   * `{locked: false}` when another worker runs this channel's digest.
   */
  withChannel<T>(
    channelKey: number,
    deploymentIds: number[],
    fn: (locked: number[]) => Promise<T>,
  ): Promise<{ locked: true; value: T } | { locked: false }>;
  close(): Promise<void>;
}

export function createDeploymentLocks(databaseUrl: string, opts: { max?: number } = {}): DeploymentLocks {
  const pool = new pg.Pool({ connectionString: databaseUrl, max: opts.max ?? 8 });
  // An idle pool client can fail when Postgres restarts; the pool replaces it, nothing to do.
  pool.on('error', () => {});
  return {
    withLock: (id, fn, scope = 'deployment') => underLock(pool, LOCK_CLASS[scope], id, () => fn()),
    withChannel: (channelKey, deploymentIds, fn) =>
      underLock(pool, LOCK_CLASS.channel, channelKey, async (client) => {
        // The channel's digest carries only the deployments nobody else is posting for right now.
        const mine = await client.query<{ id: number }>(
          'select id from unnest($2::int[]) as id where pg_try_advisory_xact_lock($1, id)',
          [LOCK_CLASS.deployment, deploymentIds],
        );
        return fn(mine.rows.map((r) => r.id));
      }),
    close: () => pool.end(),
  };
}

/**
 * Runs `body` in a transaction holding the advisory lock (`klass`, `key`), or answers `locked: false`
 * when another process holds it. The lock goes with the transaction, committed or not.
 */
async function underLock<T>(
  pool: pg.Pool,
  klass: number,
  key: number,
  body: (client: pg.PoolClient) => Promise<T>,
): Promise<{ locked: false } | { locked: true; value: T }> {
  const client = await pool.connect();
  let broken: Error | undefined;
  try {
    // A hung holder (stuck chat call) must not keep the lock forever.
    await client.query("begin; set local idle_in_transaction_session_timeout = '10min'");
    const { rows } = await client.query<{ locked: boolean }>(
      'select pg_try_advisory_xact_lock($1, $2) as locked',
      [klass, key],
    );
    if (!rows[0]?.locked) return { locked: false };
    return { locked: true, value: await body(client) };
  } catch (error) {
    broken = error as Error;
    throw error;
  } finally {
    // Commit or roll back, the lock goes either way; nothing else ran in this transaction.
    await client.query('rollback').catch((error: Error) => {
      broken ??= error;
    });
    client.release(broken && !(await healthy(client)) ? broken : undefined);
  }
}

async function healthy(client: pg.PoolClient): Promise<boolean> {
  try {
    await client.query('select 1');
    return true;
  } catch {
    return false;
  }
}

import pg from 'pg';

export type SqlPool = pg.Pool;

/**
 * A plain node-postgres pool for the boot path's hand-written statements, next to MikroORM's own. The
 * boot path runs a few fixed, batched statements per second per thousand machines; going through the
 * ORM cost about ten times the CPU of the statements themselves (measured in bench/boot-storm).
 * @defaultValue max 4 connections (the batchers run 2 flushes each at most)
 */
export function createSqlPool(
  databaseUrl: string,
  opts: { max?: number; onIdleError?: (error: Error) => void } = {},
): SqlPool {
  const pool = new pg.Pool({ connectionString: databaseUrl, max: opts.max ?? 4, idleTimeoutMillis: 30_000 });
  // An idle connection the server closed is replaced on next use; the error must not crash the process.
  pool.on('error', (error) => opts.onIdleError?.(error));
  return pool;
}

import { randomBytes } from 'node:crypto';
import pg from 'pg';

/** Maintenance database used to create and drop the benchmark's own databases. */
const ADMIN_URL = process.env.BENCH_DATABASE_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

/** A URL for a fresh, uniquely named database (`octofleet_bench_…`); the core creates it on first connect. */
export function benchDatabaseUrl(): string {
  const url = new URL(ADMIN_URL);
  url.pathname = `/octofleet_bench_${randomBytes(5).toString('hex')}`;
  return url.toString();
}

/** Drops a benchmark database, closing whatever connections are still open on it. */
export async function dropBenchDatabase(url: string): Promise<void> {
  const name = new URL(url).pathname.slice(1);
  if (!name.startsWith('octofleet_bench_')) throw new Error(`refusing to drop ${name}: not a bench database`);
  const client = new pg.Client({ connectionString: ADMIN_URL });
  await client.connect();
  try {
    await client.query(`drop database if exists ${pg.escapeIdentifier(name)} with (force)`);
  } finally {
    await client.end();
  }
}

/** Runs one query on a short-lived connection (verification counts, server versions). */
export async function queryOnce<T extends pg.QueryResultRow>(
  url: string,
  sql: string,
  params: unknown[] = [],
): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  client.on('error', () => {}); // surfaces through the query instead
  await client.connect();
  try {
    return (await client.query<T>(sql, params)).rows;
  } finally {
    await client.end();
  }
}

import { Redis } from 'ioredis';
import pg from 'pg';
import { redactUrl } from '../../core/config/index.js';
import { MIGRATIONS } from '../../migrations/index.js';
import { type CheckContext, type CheckResult, fail, ok, reason, warn } from './check.js';

const START_POSTGRES =
  "start it: 'docker compose up -d postgres' (or your distribution's postgresql service), or set DATABASE_URL";
const START_REDIS =
  "start it: 'redis-server --daemonize yes --bind 127.0.0.1 --port 6379' or 'docker compose up -d redis', or set REDIS_URL";

/** Postgres answers, and every migration this version ships is applied. */
export async function checkPostgres({ config, timeoutMs }: CheckContext): Promise<CheckResult[]> {
  const url = redactUrl(config.DATABASE_URL);
  const client = new pg.Client({
    connectionString: config.DATABASE_URL,
    connectionTimeoutMillis: timeoutMs,
  });
  client.on('error', () => {});
  try {
    await client.connect();
  } catch (error) {
    if ((error as { code?: string }).code === '3D000') {
      return [
        ok(
          'postgres',
          'Postgres',
          `reachable; database ${new URL(config.DATABASE_URL).pathname.slice(1)} does not exist yet`,
        ),
        warn(
          'schema',
          'Database schema',
          'not created yet',
          "run 'npm start' once (it creates the database and applies migrations)",
        ),
      ];
    }
    return [fail('postgres', 'Postgres', `cannot connect to ${url} (${reason(error)})`, START_POSTGRES)];
  }
  try {
    const applied = await client
      .query<{ name: string }>('select name from mikro_orm_migrations')
      .then((r) => new Set(r.rows.map((row) => row.name)))
      .catch(() => new Set<string>());
    const pending = MIGRATIONS.map((m) => m.name).filter((name) => !applied.has(name));
    const schema = pending.length
      ? warn(
          'schema',
          'Database schema',
          `${pending.length} migration(s) not applied: ${pending.join(', ')}`,
          "run 'npm run migrate' (npm start applies them too)",
        )
      : ok('schema', 'Database schema', `current (${MIGRATIONS.length} migration(s) applied)`);
    return [ok('postgres', 'Postgres', `reachable at ${url}`), schema];
  } finally {
    await client.end().catch(() => {});
  }
}

/** Redis answers PING. */
export async function checkRedis({ config, timeoutMs }: CheckContext): Promise<CheckResult[]> {
  const url = redactUrl(config.REDIS_URL);
  const redis = new Redis(config.REDIS_URL, {
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    connectTimeout: timeoutMs,
    retryStrategy: () => null,
  });
  redis.on('error', () => {});
  try {
    await redis.connect();
    await redis.ping();
    return [ok('redis', 'Redis', `reachable at ${url}`)];
  } catch (error) {
    return [fail('redis', 'Redis', `cannot connect to ${url} (${reason(error)})`, START_REDIS)];
  } finally {
    redis.disconnect();
  }
}

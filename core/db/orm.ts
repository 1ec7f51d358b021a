import { fileURLToPath } from 'node:url';
import { Migrator } from '@mikro-orm/migrations';
import { MikroORM, type Options, PostgreSqlDriver } from '@mikro-orm/postgresql';
import pg from 'pg';
import { MIGRATIONS } from '../../migrations/index.js';
import { redactUrl } from '../config/index.js';
import { ENTITIES } from './entities.js';

export type Orm = MikroORM;

/** Where migration files live, independent of the working directory. */
export const MIGRATIONS_PATH = fileURLToPath(new URL('../../migrations', import.meta.url));

/** MikroORM options for a database URL. */
export function ormOptions(databaseUrl: string, overrides: Partial<Options> = {}): Options {
  return {
    driver: PostgreSqlDriver,
    clientUrl: databaseUrl,
    entities: ENTITIES,
    extensions: [Migrator],
    discovery: { disableDynamicFileAccess: true },
    // Requests and jobs fork their own EntityManager; the global one must never be used by accident.
    allowGlobalContext: false,
    forceUtcTimezone: true,
    pool: { min: 0, max: 10 },
    migrations: {
      path: MIGRATIONS_PATH,
      pathTs: MIGRATIONS_PATH,
      migrationsList: MIGRATIONS,
      emit: 'ts',
      // MikroORM rewrites the snapshot after every migration run when this is on: each `npm start` and
      // test database would overwrite the committed file with its own schema (the migrations test, which
      // migrates down to nothing, emptied it). Only `npm run migration:create` turns it on.
      snapshot: false,
      snapshotName: '.snapshot',
      transactional: true,
      allOrNothing: true,
    },
    ...overrides,
  };
}

/** Thrown when a service cannot be reached; the message says which URL and how to start it. */
export class ServiceUnavailableError extends Error {
  override name = 'ServiceUnavailableError';
}

/**
 * Creates the database named in the URL when it does not exist (connecting to the `postgres`
 * maintenance database of the same server).
 */
export async function ensureDatabase(databaseUrl: string): Promise<void> {
  const url = new URL(databaseUrl);
  const name = decodeURIComponent(url.pathname.replace(/^\//, '')) || 'postgres';
  url.pathname = '/postgres';
  const client = new pg.Client({ connectionString: url.toString(), connectionTimeoutMillis: 5000 });
  try {
    await client.connect();
  } catch (error) {
    throw new ServiceUnavailableError(
      `Cannot reach PostgreSQL at ${redactUrl(databaseUrl)} (${(error as Error).message}). Start it with ` +
        `'pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start' or 'docker compose up -d postgres', or set DATABASE_URL.`,
    );
  }
  try {
    const found = await client.query('select 1 from pg_database where datname = $1', [name]);
    if (found.rowCount === 0) {
      await client.query(`create database ${pg.escapeIdentifier(name)}`).catch((error: { code?: string }) => {
        if (error.code !== '42P04') throw error; // created concurrently by another process
      });
    }
  } finally {
    await client.end();
  }
}

/** Opens the ORM (creating the database first if needed). */
export async function openOrm(databaseUrl: string, overrides: Partial<Options> = {}): Promise<Orm> {
  await ensureDatabase(databaseUrl);
  return MikroORM.init(ormOptions(databaseUrl, overrides));
}

/** Arbitrary constant naming Octofleet's migration lock among the server's advisory locks. */
const MIGRATION_LOCK = 7_270_001;

/**
 * Applies pending migrations; returns the names applied. Roles started side by side (compose, several
 * replicas) each call this: a session-level advisory lock makes them take turns, and the later ones
 * find nothing pending.
 */
export async function migrateUp(orm: Orm): Promise<string[]> {
  const client = new pg.Client({ connectionString: orm.config.get('clientUrl') });
  await client.connect();
  try {
    await client.query('select pg_advisory_lock($1)', [MIGRATION_LOCK]);
    const applied = await orm.getMigrator().up();
    return applied.map((m) => m.name);
  } finally {
    await client.end();
  }
}

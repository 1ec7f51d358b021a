import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { loadConfig } from '../../core/config/index.js';
import { migrateUp, type Orm, openOrm } from '../../core/db/orm.js';
import { testArtifactsDir } from './test-artifacts.js';

const ADMIN_URL = process.env.TEST_DATABASE_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

/** A database URL for a fresh, uniquely named test database (created on first connect). */
export function testDatabaseUrl(): string {
  const url = new URL(ADMIN_URL);
  url.pathname = `/octofleet_test_${randomBytes(5).toString('hex')}`;
  return url.toString();
}

/** Creates a migrated, empty database; `drop()` removes it. */
export async function createTestDatabase(): Promise<{ url: string; orm: Orm; drop(): Promise<void> }> {
  const url = testDatabaseUrl();
  const orm = await openOrm(url, { pool: { min: 0, max: 20 } });
  await migrateUp(orm);
  return {
    url,
    orm,
    async drop() {
      await orm.close(true);
      await dropDatabase(url);
    },
  };
}

export async function dropDatabase(url: string): Promise<void> {
  const name = new URL(url).pathname.slice(1);
  const client = new pg.Client({ connectionString: ADMIN_URL });
  await client.connect();
  try {
    await client.query(`drop database if exists ${pg.escapeIdentifier(name)} with (force)`);
  } finally {
    await client.end();
  }
}

/**
 * A validated config for tests: defaults plus a fresh database, a unique queue prefix, an ARTIFACTS_DIR
 * holding every catalog file ({@link testArtifactsDir}) and overrides.
 */
export function testConfig(overrides: Record<string, string> = {}) {
  return loadConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    SECRET_KEY: 'test-secret-key-0123456789abcdef0123456789abcdef',
    PUBLIC_BOOT_URL: 'http://10.0.2.2:8080',
    // Most tests deploy catalog images without their multi-GB files; test/core/images/preflight and the
    // shell e2e test turn preflight on with files they create.
    IMAGE_PREFLIGHT: 'false',
    QUEUE_PREFIX: `t${randomBytes(5).toString('hex')}`,
    ARTIFACTS_DIR: testArtifactsDir(),
    ...overrides,
  });
}

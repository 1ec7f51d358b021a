import type { Config } from '../../core/config/index.js';
import { type Core, createCore } from '../../core/create-core.js';
import type { Actor } from '../../core/deployments/deployment.entity.js';
import { createLogger } from '../../core/logger.js';
import { dropDatabase, testConfig, testDatabaseUrl } from './test-database.js';

/** A real core (migrated database, seeded catalog) for one test file; `close()` drops the database. */
export async function createTestCore(
  overrides: Record<string, string> = {},
): Promise<Core & { config: Config }> {
  const config = testConfig({ DATABASE_URL: testDatabaseUrl(), ...overrides });
  const core = await createCore(config, createLogger({ level: 'silent' }));
  const close = core.close;
  return {
    ...core,
    async close() {
      await close();
      await dropDatabase(config.DATABASE_URL);
    },
  };
}

export const alice: Actor = { platform: 'shell', id: 'alice', name: 'alice' };
export const bob: Actor = { platform: 'shell', id: 'bob', name: 'bob' };
export const carol: Actor = { platform: 'shell', id: 'carol', name: 'carol' };
export const approver = { approver: true };
export const nobody = { approver: false };

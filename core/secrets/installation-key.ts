import { randomBytes } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import { Setting } from '../settings/setting.entity.js';

/**
 * The key material for the SecretBox: SECRET_KEY when configured, else a key generated once and kept in
 * the database, so `npm start` works with no configuration and every replica agrees on it. Production
 * should set SECRET_KEY: a key stored next to the data it protects only guards against leaked dumps of
 * single tables, not of the whole database.
 */
export async function resolveInstallationKey(
  em: EntityManager,
  configured: string | undefined,
): Promise<{ key: string; generated: boolean }> {
  if (configured) return { key: configured, generated: false };
  const fresh = randomBytes(32).toString('hex');
  // Insert-if-absent, then read: two processes starting together end up with the same key.
  await em
    .getConnection()
    .execute(`insert into "setting" ("key", "value") values ('secret_key', ?) on conflict do nothing`, [
      fresh,
    ]);
  const row = await em.findOneOrFail(Setting, { key: 'secret_key' });
  return { key: row.value, generated: true };
}

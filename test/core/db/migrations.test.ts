import { describe, expect, it } from 'vitest';
import { openOrm } from '../../../core/db/orm.js';
import { dropDatabase, testDatabaseUrl } from '../../support/test-database.js';

describe('migrations', () => {
  it('create the database, migrate up from empty, and down again', async () => {
    const url = testDatabaseUrl();
    const orm = await openOrm(url);
    try {
      const migrator = orm.getMigrator();
      expect((await migrator.getPendingMigrations()).length).toBeGreaterThan(0);
      await migrator.up();
      expect(await migrator.getPendingMigrations()).toEqual([]);
      const tables = await orm.em
        .fork()
        .getConnection()
        .execute<{ tablename: string }[]>(
          `select tablename from pg_tables where schemaname = 'public' order by tablename`,
        );
      expect(tables.map((t) => t.tablename)).toEqual(
        expect.arrayContaining([
          'batch',
          'batch_chat_ref',
          'chat_ref',
          'dashboard_session',
          'decision',
          'deployment',
          'deployment_event',
          'hardware_profile',
          'machine',
          'os_image',
          'power_action',
          'power_run',
          'setting',
          'system',
          'template',
          'template_version',
        ]),
      );
      const diskColumns = await orm.em
        .fork()
        .getConnection()
        .execute<{ table_name: string }[]>(
          `select table_name from information_schema.columns where column_name = 'disk' order by table_name`,
        );
      expect(diskColumns.map((c) => c.table_name)).toEqual(['deployment', 'machine', 'os_image']);
      await migrator.down({ to: 0 });
      const after = await orm.em
        .fork()
        .getConnection()
        .execute(`select 1 from pg_tables where tablename = 'deployment'`);
      expect(after).toEqual([]);
    } finally {
      await orm.close(true);
      await dropDatabase(url);
    }
  });
});

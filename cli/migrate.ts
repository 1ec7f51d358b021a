// `npm run migrate` applies pending migrations; `npm run migration:create` generates one from the entities.
import 'dotenv/config';
import { loadConfig } from '../core/config/index.js';
import { migrateUp, openOrm, ormOptions } from '../core/db/orm.js';

const config = loadConfig();
const creating = process.argv[2] === 'create';
const orm = await openOrm(
  config.DATABASE_URL,
  // The snapshot is what the next generated migration is diffed against; only creating one updates it.
  creating ? { migrations: { ...ormOptions(config.DATABASE_URL).migrations, snapshot: true } } : {},
);
try {
  if (creating) {
    const initial = process.argv.includes('--initial');
    const result = await orm.getMigrator().createMigration(undefined, false, initial);
    console.log(
      result.fileName ? `created ${result.fileName}` : 'entities and database agree; nothing to create',
    );
  } else {
    const applied = await migrateUp(orm);
    console.log(applied.length ? `applied ${applied.join(', ')}` : 'database is up to date');
  }
} finally {
  await orm.close();
}

// `npm run migrate` applies pending migrations; `npm run migration:create` generates one from the entities.
import 'dotenv/config';
import { loadConfig } from '../core/config/index.js';
import { migrateUp, openOrm } from '../core/db/orm.js';

const config = loadConfig();
const orm = await openOrm(config.DATABASE_URL);
try {
  if (process.argv[2] === 'create') {
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

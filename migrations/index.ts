// Migrations are listed here explicitly (MikroORM `migrationsList`) rather than discovered on disk, so
// they load the same way under tsx, Vitest and a bundled build. After `npm run migration:create`, add
// the new class below. MikroORM 6 re-creates the deployment check constraints in every generated
// migration (it cannot compare check expressions); drop those lines when they are the only change.
import type { MigrationObject } from '@mikro-orm/core';
import { Migration20261127070724 } from './Migration20261127070724.js';
import { Migration20261204210000 } from './Migration20261204210000.js';
import { Migration20261204211000 } from './Migration20261204211000.js';
import { Migration20261204212000 } from './Migration20261204212000.js';
import { Migration20261204213000 } from './Migration20261204213000.js';
import { Migration20261204214000 } from './Migration20261204214000.js';
import { Migration20261204215000 } from './Migration20261204215000.js';

export const MIGRATIONS: MigrationObject[] = [
  { name: 'Migration20261127070724', class: Migration20261127070724 },
  { name: 'Migration20261204210000', class: Migration20261204210000 },
  { name: 'Migration20261204211000', class: Migration20261204211000 },
  { name: 'Migration20261204212000', class: Migration20261204212000 },
  { name: 'Migration20261204213000', class: Migration20261204213000 },
  { name: 'Migration20261204214000', class: Migration20261204214000 },
  { name: 'Migration20261204215000', class: Migration20261204215000 },
];

// Used by `npx mikro-orm` tooling only; the application builds its options in core/db/orm.ts.
import { loadConfig } from './core/config/index.js';
import { ormOptions } from './core/db/orm.js';

export default ormOptions(loadConfig().DATABASE_URL);

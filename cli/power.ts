// `npm run power -- <machine> [status|on|off|cycle|pxe-once]`: one machine's power through its BMC, from the
// server's shell (docs/power.md "Test one machine"). Whoever can run this can read the database, so the
// request counts as an approver's; it is audited under the shell user's name like any other.
import 'dotenv/config';
import { userInfo } from 'node:os';
import { loadConfig } from '../core/config/index.js';
import { createCore } from '../core/create-core.js';
import { isAppError } from '../core/errors.js';
import { createLogger } from '../core/logger.js';
import { POWER_ACTIONS } from '../core/power/power-action.entity.js';

const [name, action = 'status', ...extra] = process.argv.slice(2);
if (!name || extra.length || !(POWER_ACTIONS as readonly string[]).includes(action)) {
  console.error(`usage: npm run power -- <machine> [${POWER_ACTIONS.join('|')}]`);
  process.exit(2);
}
const config = loadConfig();
const core = await createCore(config, createLogger({ level: 'warn', destination: 2 }), { migrate: false });
let code = 0;
try {
  const user = userInfo().username;
  const outcome = await core.power.request(
    name,
    action,
    { platform: 'shell', id: user, name: `${user} (cli)` },
    { approver: true },
  );
  console.log(JSON.stringify(outcome, null, 2));
} catch (error) {
  code = 1;
  if (isAppError(error) && error.expose) console.error(`${error.code}: ${error.message}`);
  else console.error(error);
} finally {
  await core.close();
}
process.exit(code);

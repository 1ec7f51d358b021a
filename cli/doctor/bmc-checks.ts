import pg from 'pg';
import { createCore } from '../../core/create-core.js';
import { isAppError } from '../../core/errors.js';
import { createLogger } from '../../core/logger.js';
import { withDriver } from '../../core/power/create-driver.js';
import { type CheckContext, type CheckResult, fail, ok } from './check.js';

/** How many BMCs are asked at once: a rack's worth, without flooding a management network. */
const AT_ONCE = 8;

/**
 * Every inventory machine with a BMC (driver other than `manual`) answers a power `status` with its
 * stored credentials: ❌ with the BMC's own message when it does not (wrong password, unreachable, TLS).
 * Nothing is switched; status is read-only and not audited as a power request.
 */
export async function checkBmcs(ctx: CheckContext): Promise<CheckResult[]> {
  // Count first over plain SQL: opening the core would create a missing database, which a check must not.
  if (!(await countBmcs(ctx))) return [ok('bmc', 'BMCs', 'no machines with a BMC in the inventory')];
  const core = await createCore(ctx.config, createLogger({ level: 'silent' }), { migrate: false });
  try {
    const { items } = await core.machines.repository().list({ limit: 10_000 });
    const withBmc = items.filter((m) => m.bmc && m.bmc.driver !== 'manual');
    const results: CheckResult[] = [];
    for (let i = 0; i < withBmc.length; i += AT_ONCE) {
      const batch = withBmc.slice(i, i + AT_ONCE).map(async (machine): Promise<CheckResult> => {
        const id = `bmc:${machine.name}`;
        const title = `BMC ${machine.name}`;
        try {
          const secrets = await core.machines.secrets(machine);
          const { label, power } = await withDriver(
            machine,
            secrets,
            { timeoutMs: ctx.timeoutMs },
            async (d) => ({
              label: d.label,
              power: await d.status(),
            }),
          );
          return ok(id, title, `${label} at ${machine.bmc?.address}: power ${power}`);
        } catch (error) {
          const why = isAppError(error) && error.expose ? `${error.code}: ${error.message}` : String(error);
          return fail(
            id,
            title,
            `${machine.bmc?.driver} at ${machine.bmc?.address}: ${why}`,
            `check the BMC's address and credentials (PUT /api/v1/machines/${machine.name}), then 'npm run power -- ${machine.name} status'`,
          );
        }
      });
      results.push(...(await Promise.all(batch)));
    }
    return results;
  } finally {
    await core.close();
  }
}

async function countBmcs({ config, timeoutMs }: CheckContext): Promise<number> {
  const client = new pg.Client({ connectionString: config.DATABASE_URL, connectionTimeoutMillis: timeoutMs });
  client.on('error', () => {});
  try {
    await client.connect();
    const { rows } = await client.query<{ n: string }>(
      `select count(*) as n from machine where bmc is not null and bmc->>'driver' <> 'manual'`,
    );
    return Number(rows[0]?.n ?? 0);
  } catch {
    return 0; // no database or no inventory yet: the Postgres and schema checks say so
  } finally {
    await client.end().catch(() => {});
  }
}

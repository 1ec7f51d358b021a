import { createMicroBatcher, type MicroBatcher } from '../db/micro-batch.js';
import type { SqlPool } from '../db/sql-pool.js';
import type { Mac } from '../mac.js';
import { type DeploymentRow, deploymentColumns, toDeployment } from './deployment-row.js';
import { ACTIVE_STATES, sqlStateList } from './lifecycle.js';

/**
 * The two reads every boot-path request starts with — a machine's active deployment by MAC, a token's
 * deployment by id — batched: one statement answers every machine asking at the same moment.
 */
export interface DeploymentLookups {
  /** The active deployment (pending_approval … configuring) of a MAC, or null. */
  activeByMac(mac: Mac): Promise<DeploymentRow | null>;
  /** A deployment by id with its token nonce and sealed secrets, or null. */
  byId(id: number): Promise<DeploymentRow | null>;
}

const ACTIVE = sqlStateList(ACTIVE_STATES);

export function createDeploymentLookups(sql: SqlPool): DeploymentLookups {
  const byMac: MicroBatcher<Mac, DeploymentRow | null> = createMicroBatcher(async (macs) => {
    const { rows } = await sql.query<DeploymentRow>({
      name: 'deployments-active-by-mac',
      text: `select ${deploymentColumns('d')} from "deployment" d where d."mac" = any($1::text[]) and d."status" in (${ACTIVE})`,
      values: [macs],
    });
    const found = new Map(rows.map((row) => [row.mac, toDeployment(row)]));
    return macs.map((mac) => found.get(mac) ?? null);
  });
  const byId: MicroBatcher<number, DeploymentRow | null> = createMicroBatcher(async (ids) => {
    const { rows } = await sql.query<DeploymentRow>({
      name: 'deployments-by-id',
      text: `select ${deploymentColumns('d')} from "deployment" d where d."id" = any($1::int[])`,
      values: [ids],
    });
    const found = new Map(rows.map((row) => [row.id, toDeployment(row)]));
    return ids.map((id) => found.get(id) ?? null);
  });
  return {
    activeByMac: (mac) => byMac.run(mac),
    byId: (id) =>
      Number.isSafeInteger(id) && id > 0 && id <= 2 ** 31 - 1 ? byId.run(id) : Promise.resolve(null),
  };
}

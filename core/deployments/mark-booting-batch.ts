import { createMicroBatcher, inRounds, type MicroBatcher } from '../db/micro-batch.js';
import type { SqlPool } from '../db/sql-pool.js';
import type { BootInfo, Deployment, TemplatePins } from './deployment.entity.js';
import { type DeploymentRow, deploymentColumns, toDeployment } from './deployment-row.js';

export interface MarkBootingInput {
  id: number;
  boot: BootInfo;
  resolvedProfile: string;
  /** Text of the `booting` event (firmware, arch, profile). */
  message: string;
  /** Template versions of this render; kept only when the deployment has none yet (the first render pins). */
  templates: TemplatePins | null;
  at: Date;
}

export interface MarkBootingResult {
  /** The deployment after the statement; null when it does not exist. */
  deployment: Deployment | null;
  /** True when this call moved it from approved to booting (and recorded the event). */
  changed: boolean;
}

/**
 * approved → booting for every machine that fetched its install script at the same moment, in one
 * statement: the compare-and-set, the `booting` event of each row that moved, and a refresh of the boot
 * info of rows already booting (a machine that fetched twice). Each serve is counted (`install_serves`)
 * for the boot-loop guard. Each id appears once per statement; a
 * repeated id waits for the next one, so the same machine's fetches still apply in order.
 */
export function createMarkBootingBatch(sql: SqlPool): MicroBatcher<MarkBootingInput, MarkBootingResult> {
  const cols = deploymentColumns('d');
  const text = `
    with input as (
      select * from unnest($1::int[], $2::jsonb[], $3::text[], $4::text[], $5::timestamptz[], $6::jsonb[])
        as i(id, boot, resolved_profile, message, at, templates)
    ), moved as (
      update "deployment" d set "status" = 'booting', "stage" = 'booting', "booting_at" = i.at,
        "updated_at" = i.at, "last_event_at" = i.at, "boot" = i.boot, "resolved_profile" = i.resolved_profile,
        "install_serves" = 1,
        "templates" = coalesce(d."templates", i.templates)
      from input i where d."id" = i.id and d."status" = 'approved'
      returning ${cols}
    ), refreshed as (
      update "deployment" d set "boot" = i.boot, "resolved_profile" = i.resolved_profile, "updated_at" = i.at,
        "install_serves" = d."install_serves" + 1,
        "templates" = coalesce(d."templates", i.templates)
      from input i where d."id" = i.id and d."status" = 'booting'
      returning ${cols}
    ), events as (
      insert into "deployment_event" ("deployment_id", "stage", "message", "source", "state", "received_at")
      select i.id, 'booting', i.message, 'boot-server', 'booting', i.at from input i join moved m on m."id" = i.id
    )
    select true as "changed", * from moved
    union all select false, * from refreshed
    union all select false, ${cols} from "deployment" d join input i on i.id = d."id"
      where d."id" not in (select "id" from moved union all select "id" from refreshed)`;

  const runOnce = async (items: MarkBootingInput[]): Promise<MarkBootingResult[]> => {
    const { rows } = await sql.query<DeploymentRow & { changed: boolean }>({
      name: 'deployments-mark-booting',
      text,
      values: [
        items.map((i) => i.id),
        items.map((i) => JSON.stringify(i.boot)),
        items.map((i) => i.resolvedProfile),
        items.map((i) => i.message),
        items.map((i) => i.at),
        items.map((i) => (i.templates ? JSON.stringify(i.templates) : null)),
      ],
    });
    const byId = new Map(rows.map((r) => [r.id, r]));
    return items.map((item) => {
      const row = byId.get(item.id);
      if (!row) return { deployment: null, changed: false };
      const { changed, ...rest } = row;
      return { deployment: toDeployment(rest), changed };
    });
  };

  return createMicroBatcher((items) => inRounds(items, runOnce));
}

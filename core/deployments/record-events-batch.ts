import { createMicroBatcher, inRounds, type MicroBatcher } from '../db/micro-batch.js';
import type { SqlPool } from '../db/sql-pool.js';
import type { DeploymentEvent } from './deployment-event.entity.js';
import { type DeploymentRow, deploymentColumns, toDeployment } from './deployment-row.js';
import { ACTIVE_STATES, type DeploymentState, sqlStateList, TRANSITIONS } from './lifecycle.js';
import type { RecordedEvent, ValidEvent } from './record-event.js';

/** One validated installer stage of a deployment, ready to store. */
export interface EventRow extends ValidEvent {
  id: number;
  at: Date;
}

/** States in which a stage that changes nothing still refreshes the deployment's stage and progress. */
const TOUCHABLE = sqlStateList(ACTIVE_STATES.filter((s) => s !== 'pending_approval'));

/**
 * Stores installer stages of many deployments in one statement (and one commit): per row, the state
 * moves forward only from the states {@link TRANSITIONS} allows, with its timestamp, progress and failure
 * reason; otherwise an active deployment's stage and progress are refreshed (an installer's report also
 * resets the boot-loop count); the event is appended with
 * the state it caused (null for none); a deployment that reached done is upserted into the systems
 * registry (linked to the inventory machine with its MAC). Answers null for a deployment that does not exist (nothing is stored for it).
 */
export function createRecordEventsBatch(sql: SqlPool): MicroBatcher<EventRow, RecordedEvent | null> {
  const cols = deploymentColumns('d');
  const movable = `i.target is not null and d."status" = any(string_to_array(i.allowed, ','))`;
  const text = `
    with input as (
      select * from unnest($1::int[], $2::text[], $3::text[], $4::text[], $5::text[], $6::int[], $7::text[], $8::timestamptz[])
        as i(id, stage, target, allowed, message, progress, source, at)
    ), moved as (
      update "deployment" d set "status" = i.target, "stage" = i.stage, "updated_at" = i.at, "last_event_at" = i.at,
        "installing_at" = case when i.target = 'installing' then i.at else d."installing_at" end,
        "configuring_at" = case when i.target = 'configuring' then i.at else d."configuring_at" end,
        "finished_at" = case when i.target in ('done', 'failed') then i.at else d."finished_at" end,
        "progress" = case when i.target = 'done' then 100 else coalesce(i.progress, d."progress") end,
        "failure_reason" = case when i.target = 'failed'
          then coalesce(i.message, 'the installer reported a failure') else d."failure_reason" end
      from input i join "deployment" prev on prev."id" = i.id
      where d."id" = i.id and ${movable}
      returning ${cols}, prev."status" as "previousStatus"
    ), touched as (
      update "deployment" d set "stage" = i.stage, "updated_at" = i.at, "last_event_at" = i.at,
        "progress" = coalesce(i.progress, d."progress"),
        "install_serves" = case when i.source = 'installer' then 0 else d."install_serves" end
      from input i where d."id" = i.id and d."status" in (${TOUCHABLE}) and not (${movable})
      returning ${cols}, null::varchar as "previousStatus"
    ), events as (
      insert into "deployment_event" ("deployment_id", "stage", "message", "progress", "source", "state", "received_at")
      select i.id, i.stage, i.message, i.progress, i.source, case when m."id" is not null then i.target end, i.at
      from input i join "deployment" d on d."id" = i.id left join moved m on m."id" = i.id
      returning "id", "deployment_id", "state", "received_at"
    ), systems as (
      insert into "system" ("mac", "hostname", "os", "edition", "manufacturer", "product", "serial", "uuid",
        "first_deployment_id", "last_deployment_id", "first_deployed_at", "last_deployed_at", "machine_id")
      select m."mac", m."hostname", m."os", m."edition", m."boot"->>'manufacturer', m."boot"->>'product',
        m."boot"->>'serial', m."boot"->>'uuid', m."id", m."id", m."finishedAt", m."finishedAt",
        (select mc."id" from "machine" mc where mc."mac" = m."mac")
      from moved m where m."status" = 'done'
      on conflict ("mac") do update set "hostname" = excluded."hostname", "os" = excluded."os",
        "machine_id" = excluded."machine_id",
        "edition" = excluded."edition",
        "manufacturer" = coalesce(excluded."manufacturer", "system"."manufacturer"),
        "product" = coalesce(excluded."product", "system"."product"),
        "serial" = coalesce(excluded."serial", "system"."serial"),
        "uuid" = coalesce(excluded."uuid", "system"."uuid"),
        "last_deployment_id" = excluded."last_deployment_id", "last_deployed_at" = excluded."last_deployed_at"
    )
    select e."id" as "eventId", e."state" as "eventState", e."received_at" as "eventAt", r.* from events e join (
      select true as "changed", * from moved
      union all select false, * from touched
      union all select false, ${cols}, null from "deployment" d join input i on i.id = d."id"
        where d."id" not in (select "id" from moved union all select "id" from touched)
    ) r on r."id" = e."deployment_id"`;

  const runOnce = async (items: EventRow[]): Promise<(RecordedEvent | null)[]> => {
    const { rows } = await sql.query<
      DeploymentRow & {
        eventId: string;
        eventState: DeploymentState | null;
        eventAt: Date;
        changed: boolean;
        previousStatus: DeploymentState | null;
      }
    >({
      name: 'deployments-record-events',
      text,
      values: [
        items.map((i) => i.id),
        items.map((i) => i.stage),
        items.map((i) => i.target),
        items.map((i) => (i.target ? TRANSITIONS[i.target as keyof typeof TRANSITIONS].join(',') : null)),
        items.map((i) => i.message),
        items.map((i) => i.progress),
        items.map((i) => i.source),
        items.map((i) => i.at),
      ],
    });
    const byId = new Map(rows.map((r) => [r.id, r]));
    return items.map((item) => {
      const row = byId.get(item.id);
      if (!row) return null;
      const { eventId, eventState, eventAt, changed, previousStatus, ...rest } = row;
      const event = {
        id: eventId,
        deploymentId: item.id,
        stage: item.stage,
        message: item.message,
        progress: item.progress,
        source: item.source,
        state: eventState,
        receivedAt: eventAt,
        postedAt: null,
      } satisfies DeploymentEvent;
      return {
        event,
        deployment: toDeployment(rest),
        changed,
        previousStatus: previousStatus ?? null,
      };
    });
  };

  return createMicroBatcher((items) => inRounds(items, runOnce));
}

import type { EntityManager } from '@mikro-orm/postgresql';
import type { Deployment } from '../deployments/deployment.entity.js';

/** Creates or updates the registry entry of a machine that finished a deployment. */
export async function upsertSystem(em: EntityManager, d: Deployment): Promise<void> {
  const at = d.finishedAt ?? new Date();
  await em.getConnection().execute(
    `insert into "system" ("mac", "hostname", "os", "edition", "manufacturer", "product", "serial", "uuid",
       "first_deployment_id", "last_deployment_id", "first_deployed_at", "last_deployed_at")
     values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
     on conflict ("mac") do update set "hostname" = excluded."hostname", "os" = excluded."os", "edition" = excluded."edition",
       "manufacturer" = coalesce(excluded."manufacturer", "system"."manufacturer"), "product" = coalesce(excluded."product", "system"."product"),
       "serial" = coalesce(excluded."serial", "system"."serial"), "uuid" = coalesce(excluded."uuid", "system"."uuid"),
       "last_deployment_id" = excluded."last_deployment_id", "last_deployed_at" = excluded."last_deployed_at"`,
    [
      d.mac,
      d.hostname,
      d.os,
      d.edition,
      d.boot?.manufacturer ?? null,
      d.boot?.product ?? null,
      d.boot?.serial ?? null,
      d.boot?.uuid ?? null,
      d.id,
      d.id,
      at,
      at,
    ],
    'run',
    em.getTransactionContext(),
  );
}

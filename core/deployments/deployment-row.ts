import type { Deployment } from './deployment.entity.js';

/** Columns of `deployment` as {@link Deployment}'s property names, for hand-written statements. */
const COLUMNS = [
  ['id', 'id'],
  ['mac', 'mac'],
  ['os', 'os'],
  ['edition', 'edition'],
  ['hostname', 'hostname'],
  ['profile', 'profile'],
  ['resolved_profile', 'resolvedProfile'],
  ['disk', 'disk'],
  ['status', 'status'],
  ['stage', 'stage'],
  ['progress', 'progress'],
  ['failure_reason', 'failureReason'],
  ['requested_by', 'requestedBy'],
  ['token_nonce', 'tokenNonce'],
  ['secrets', 'secrets'],
  ['boot', 'boot'],
  ['templates', 'templates'],
  ['created_at', 'createdAt'],
  ['updated_at', 'updatedAt'],
  ['expires_at', 'expiresAt'],
  ['approved_at', 'approvedAt'],
  ['booting_at', 'bootingAt'],
  ['installing_at', 'installingAt'],
  ['configuring_at', 'configuringAt'],
  ['finished_at', 'finishedAt'],
  ['last_event_at', 'lastEventAt'],
  ['install_serves', 'installServes'],
  ['boot_report', 'bootReport'],
  ['secure_boot', 'secureBoot'],
  ['batch_id', 'batchId'],
] as const satisfies readonly (readonly [column: string, property: keyof Deployment])[];

/**
 * A deployment as the boot path's hand-written statements return it: every column, as a plain object
 * rather than the entity class (MikroORM puts accessors on the class's prototype, and going through
 * them cost more CPU than the statement that loaded the row). Structurally a {@link Deployment}.
 */
export type DeploymentRow = Pick<Deployment, (typeof COLUMNS)[number][1]>;

/** Compiles only while every property of Deployment has a column above. */
const _everyProperty: Exclude<keyof Deployment, keyof DeploymentRow> extends never ? true : false = true;
void _everyProperty;

/** `t."mac" as "mac", t."resolved_profile" as "resolvedProfile", …`: every column, for SELECT and RETURNING. */
export function deploymentColumns(table: string): string {
  return COLUMNS.map(([column, property]) => `${table}."${column}" as "${property}"`).join(', ');
}

/**
 * A row selected with {@link deploymentColumns} as a Deployment. The token nonce and the sealed secrets
 * are kept off enumeration, so a deployment that is spread, logged or serialised never carries them.
 */
export function toDeployment(row: DeploymentRow): DeploymentRow {
  const { tokenNonce, secrets, ...deployment } = row;
  Object.defineProperty(deployment, 'tokenNonce', { value: tokenNonce, enumerable: false, writable: true });
  Object.defineProperty(deployment, 'secrets', { value: secrets, enumerable: false, writable: true });
  return deployment as DeploymentRow;
}

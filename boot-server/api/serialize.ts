import type { Decision } from '../../core/deployments/decision.entity.js';
import type { Deployment } from '../../core/deployments/deployment.entity.js';
import type { DeploymentEvent } from '../../core/deployments/deployment-event.entity.js';
import type { ImageReadiness } from '../../core/images/image-readiness.js';
import type { OsImage } from '../../core/images/os-image.entity.js';
import type { System } from '../../core/systems/system.entity.js';

/** A deployment as the API shows it: explicit fields only, never its token nonce or secrets. */
export function deploymentJson(d: Deployment) {
  return {
    id: d.id,
    status: d.status,
    mac: d.mac,
    os: d.os,
    edition: d.edition,
    hostname: d.hostname,
    profile: d.profile,
    disk: d.disk,
    resolvedProfile: d.resolvedProfile,
    stage: d.stage,
    progress: d.progress,
    failureReason: d.failureReason,
    secureBoot: d.secureBoot ?? null,
    requestedBy: d.requestedBy,
    boot: d.boot,
    /** Provenance: the template versions this deployment renders with, pinned at its first render. */
    templates: d.templates
      ? Object.entries(d.templates).map(([name, pin]) => ({
          name,
          version: pin.version,
          source: pin.version === 0 ? 'builtin' : 'operator',
          ...(pin.name !== name ? { from: pin.name } : {}),
        }))
      : null,
    createdAt: d.createdAt,
    updatedAt: d.updatedAt,
    expiresAt: d.expiresAt,
    approvedAt: d.approvedAt,
    bootingAt: d.bootingAt,
    installingAt: d.installingAt,
    configuringAt: d.configuringAt,
    finishedAt: d.finishedAt,
    lastEventAt: d.lastEventAt,
    batchId: d.batchId ?? null,
  };
}

export function eventJson(e: DeploymentEvent) {
  return {
    id: Number(e.id),
    stage: e.stage,
    message: e.message,
    progress: e.progress,
    source: e.source,
    state: e.state,
    receivedAt: e.receivedAt,
  };
}

export function decisionJson(d: Decision) {
  return {
    verdict: d.verdict,
    accepted: d.accepted,
    reason: d.reason,
    actor: { platform: d.actorPlatform, id: d.actorId, name: d.actorName },
    decidedAt: d.decidedAt,
  };
}

/**
 * An image as the API shows it; `readiness` (whether its files are in place under ARTIFACTS_DIR) is
 * there when it was checked.
 */
export function imageJson(i: OsImage, readiness?: ImageReadiness | null) {
  return {
    id: i.id,
    name: i.name,
    family: i.family,
    boot: i.boot,
    templates: i.templates,
    editions: i.editions,
    defaultEdition: i.defaultEdition,
    disk: i.disk,
    source: i.source,
    createdAt: i.createdAt,
    updatedAt: i.updatedAt,
    ...(readiness ? { readiness: readinessJson(readiness) } : {}),
  };
}

/**
 * `{ready, missing: [{role, location, problem}], unchecked: [urls]}`. No check time: two GETs of an
 * unchanged image answer the same body, so a GET → PUT round-trip and client caches keep working.
 */
export function readinessJson(r: ImageReadiness) {
  return {
    ready: r.ready,
    missing: r.missing.map((f) => ({ role: f.role, location: f.location, problem: f.problem ?? null })),
    // Remote URLs are checked by `npm run doctor`, not on every request.
    unchecked: r.files.filter((f) => f.state === 'unchecked').map((f) => f.location),
  };
}

/** A system; `machine` is the name of the inventory machine it is linked to, when known. */
export function systemJson(s: System, machine: string | null = null) {
  return {
    id: s.id,
    mac: s.mac,
    hostname: s.hostname,
    os: s.os,
    edition: s.edition,
    manufacturer: s.manufacturer,
    product: s.product,
    serial: s.serial,
    uuid: s.uuid,
    firstDeploymentId: s.firstDeploymentId,
    lastDeploymentId: s.lastDeploymentId,
    firstDeployedAt: s.firstDeployedAt,
    lastDeployedAt: s.lastDeployedAt,
    machine,
  };
}

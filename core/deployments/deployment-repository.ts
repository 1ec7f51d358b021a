import type { EntityManager } from '@mikro-orm/postgresql';
import { NotFoundError } from '../errors.js';
import type { Mac } from '../mac.js';
import { Decision } from './decision.entity.js';
import { Deployment } from './deployment.entity.js';
import { DeploymentEvent } from './deployment-event.entity.js';
import { ACTIVE_STATES, type DeploymentState } from './lifecycle.js';

/** Read-side queries over deployments, their events and decisions. */
export class DeploymentRepository {
  constructor(private readonly em: EntityManager) {}

  async get(id: number): Promise<Deployment> {
    const found =
      Number.isSafeInteger(id) && id > 0
        ? await this.em.findOne(Deployment, { id }, { refresh: true })
        : null;
    if (!found) throw new NotFoundError(`deployment #${id} does not exist`, 'deploy:not-found');
    return found;
  }

  findActiveByMac(mac: Mac): Promise<Deployment | null> {
    return this.em.findOne(Deployment, { mac, status: { $in: [...ACTIVE_STATES] } }, { refresh: true });
  }

  /** The newest deployment of a MAC, active or not. */
  findLatestByMac(mac: Mac): Promise<Deployment | null> {
    return this.em.findOne(Deployment, { mac }, { orderBy: { id: 'desc' }, refresh: true });
  }

  async list(opts: { states?: DeploymentState[]; limit?: number; offset?: number } = {}) {
    const where = opts.states?.length ? { status: { $in: opts.states } } : {};
    const [items, total] = await this.em.findAndCount(Deployment, where, {
      orderBy: { id: 'desc' },
      limit: opts.limit ?? 50,
      offset: opts.offset ?? 0,
    });
    return { items, total };
  }

  events(deploymentId: number): Promise<DeploymentEvent[]> {
    return this.em.find(DeploymentEvent, { deploymentId }, { orderBy: { id: 'asc' } });
  }

  /** Ids of deployments with events still waiting for chat. */
  async deploymentsWithUnpostedEvents(): Promise<number[]> {
    const rows = await this.em
      .getConnection()
      .execute<{ deployment_id: number }[]>(
        'select distinct "deployment_id" from "deployment_event" where "posted_at" is null',
      );
    return rows.map((r) => r.deployment_id);
  }

  /** Marks events posted; returns how many were still unposted (0 when another worker got there first). */
  markPosted(eventIds: string[]): Promise<number> {
    if (!eventIds.length) return Promise.resolve(0);
    return this.em.nativeUpdate(
      DeploymentEvent,
      { id: { $in: eventIds }, postedAt: null },
      { postedAt: new Date() },
    );
  }

  decisions(deploymentId: number): Promise<Decision[]> {
    return this.em.find(Decision, { deploymentId }, { orderBy: { id: 'asc' } });
  }

  /**
   * The accepted decision that moved a deployment out of pending_approval, if any: its own, or for a
   * member of a batch, the batch's.
   */
  async decidedBy(deploymentId: number): Promise<Decision | null> {
    // Its own decision, or a batch-wide approve or reject (a batch-wide cancel decides no request).
    const rows = await this.em.getConnection().execute<Record<string, unknown>[]>(
      `select * from "decision" where "accepted" and ("deployment_id" = ? or ("deployment_id" is null
         and "verdict" <> 'cancel' and "batch_id" = (select "batch_id" from "deployment" where "id" = ?)))
       order by "id" limit 1`,
      [deploymentId, deploymentId],
    );
    return rows[0] ? this.em.map(Decision, rows[0]) : null;
  }
}

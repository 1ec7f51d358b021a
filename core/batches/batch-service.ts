import { type EntityManager, UniqueConstraintViolationException } from '@mikro-orm/postgresql';
import type { Orm } from '../db/orm.js';
import {
  actorFields,
  decisionPatch,
  type Permission,
  refusalOf,
  refusedBatchDecision,
  verdictState,
} from '../deployments/decide.js';
import { Decision } from '../deployments/decision.entity.js';
import { DecisionVerbs } from '../deployments/decision-verbs.js';
import { type ValidDeployRequest, validateDeployRequest } from '../deployments/deploy-request.js';
import { type Actor, Deployment } from '../deployments/deployment.entity.js';
import { DeploymentEvent } from '../deployments/deployment-event.entity.js';
import type { DeploymentChange } from '../deployments/deployment-service.js';
import { ACTIVE_STATES, TRANSITIONS } from '../deployments/lifecycle.js';
import { newDeploymentRow } from '../deployments/new-deployment.js';
import { type AppError, ConflictError, ValidationError } from '../errors.js';
import { OsImage } from '../images/os-image.entity.js';
import type { SecretBox } from '../secrets/secret-box.js';
import { Batch } from './batch.entity.js';
import { BatchRepository } from './batch-repository.js';
import {
  type BatchItem,
  type BatchProblem,
  batchItem,
  batchRefused,
  batchRequestInput,
  itemTarget,
  problemOf,
} from './batch-request.js';
import { type DirectoryMachine, inventoryUnavailable, type MachineDirectory } from './machine-directory.js';

export interface BatchServiceOptions {
  orm: Orm;
  secretBox: SecretBox;
  approvalTimeoutMinutes: number;
  allowSelfApproval: boolean;
  windowsAdminPassword?: string;
  /** The machine inventory; null until one is configured (then `{machine}` items are refused). */
  directory?: MachineDirectory | null;
  /** Called once per member that changed, like the deployment service's hook. Never throws. */
  publish: (change: DeploymentChange) => Promise<void>;
  /**
   * The request-time preflight every creation path shares (`DeploymentService.assertImageReady`): throws
   * naming the image's missing files. Absent: no preflight.
   */
  assertImageReady?: (image: OsImage) => Promise<void>;
  /** Whether a hardware profile exists (profiles are data). @defaultValue the built-in profiles */
  profileExists?: (name: string) => Promise<boolean>;
  now?: () => Date;
}

/** A created batch, with each member's generated password (null when fixed by configuration). */
export interface CreatedBatch {
  batch: Batch;
  deployments: { deployment: Deployment; password: string | null }[];
}

/** An arbitrary valid MAC: lets the batch-wide fields be checked once, by the same rules as one request. */
const PROBE_MAC = '02:00:00:00:00:01';

/**
 * Batches: several deployments created in one transaction, all or nothing, and decided together with
 * the same rules as one deployment ({@link decisionRefusal}). Each member stays an ordinary deployment.
 */
export class BatchService extends DecisionVerbs<Batch> {
  constructor(private readonly opts: BatchServiceOptions) {
    super();
  }

  private em(): EntityManager {
    return this.opts.orm.em.fork();
  }

  private now(): Date {
    return this.opts.now?.() ?? new Date();
  }

  repository(): BatchRepository {
    return new BatchRepository(this.em());
  }

  /** Whether `{machine}` items, `host:` and `tag:` can be resolved here. */
  hasInventory(): boolean {
    return Boolean(this.opts.directory);
  }

  /** The `{machine}` items of every machine tagged `tag`, in name order; refused without an inventory. */
  async itemsForTag(tag: string): Promise<BatchItem[]> {
    if (!this.opts.directory) throw inventoryUnavailable(`tag:${tag}`);
    const found = await this.opts.directory.findByTag(tag);
    if (!found.length)
      throw new ValidationError(`no machine is tagged ${tag}`, undefined, 'inventory:empty-tag');
    return found
      .map((m) => m.name)
      .sort()
      .map((machine) => ({ machine }));
  }

  /**
   * Validates every item, then creates the batch and one pending deployment per item in one transaction.
   * Any bad item, a MAC or hostname listed twice, or a MAC with an active deployment refuses the whole
   * batch with one error naming every bad item ({@link batchRefused}); nothing is created then.
   */
  async create(input: unknown, actor: Actor): Promise<CreatedBatch> {
    const parsed = batchRequestInput.safeParse(input);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      throw new ValidationError(
        issue.path.length ? `${issue.path.join('.')}: ${issue.message}` : issue.message,
      );
    }
    const { machines, ...common } = parsed.data;
    const em = this.em();
    const images = new Map<string, Promise<OsImage | null>>();
    const findImage = (id: string) => {
      if (!images.has(id)) images.set(id, em.findOne(OsImage, { id }));
      return images.get(id)!;
    };
    const listIds = async () =>
      (await em.find(OsImage, {}, { orderBy: { id: 'asc' }, fields: ['id'] })).map((i) => i.id);
    // OS, edition and profile are the batch's: wrong there is one error, not one per machine.
    const shared = await validateDeployRequest(
      { ...common, mac: PROBE_MAC },
      findImage,
      listIds,
      this.opts.profileExists,
    );
    // An image that cannot boot refuses the batch at once, before any item is looked at.
    await this.opts.assertImageReady?.((await findImage(shared.os))!);

    const problems: BatchProblem[] = [];
    const valid: { index: number; request: ValidDeployRequest }[] = [];
    const resolved = await this.resolveItems(machines, problems);
    for (const [index, item] of resolved) {
      try {
        valid.push({
          index,
          request: await validateDeployRequest(
            { ...common, ...item },
            findImage,
            listIds,
            this.opts.profileExists,
          ),
        });
      } catch (error) {
        problems.push(problemOf(index, machines[index], error));
      }
    }
    duplicates(valid, machines, problems);
    await this.activeConflicts(em, valid, machines, problems);
    if (problems.length) throw batchRefused(problems);

    const image = (await findImage(shared.os))!;
    const now = this.now();
    const fixed = image.family === 'windows' ? this.opts.windowsAdminPassword : undefined;
    const settings = {
      secretBox: this.opts.secretBox,
      approvalTimeoutMinutes: this.opts.approvalTimeoutMinutes,
    };
    let created: CreatedBatch;
    try {
      created = await em.transactional(async (tem) => {
        const batch = tem.create(Batch, {
          os: shared.os,
          edition: shared.edition,
          profile: shared.profile,
          requestedBy: actor,
          size: valid.length,
          createdAt: now,
        });
        await tem.flush();
        const rows = valid.map(({ request }) => newDeploymentRow(request, actor, now, settings, fixed));
        const deployments = rows.map((r) => tem.create(Deployment, { ...r.row, batchId: batch.id }));
        await tem.flush();
        for (const d of deployments) {
          tem.create(DeploymentEvent, {
            deploymentId: d.id,
            stage: 'requested',
            message: `requested by ${actor.name} with batch #${batch.id}`,
            source: actor.platform,
            state: 'pending_approval',
            progress: null,
            receivedAt: now,
            postedAt: null,
          });
        }
        await tem.flush();
        return {
          batch,
          deployments: deployments.map((deployment, i) => ({
            deployment,
            password: fixed ? null : rows[i]!.password,
          })),
        };
      });
    } catch (error) {
      if (!(error instanceof UniqueConstraintViolationException)) throw error;
      // Another request took one of these MACs between the check and the insert.
      const raced: BatchProblem[] = [];
      await this.activeConflicts(this.em(), valid, machines, raced);
      throw raced.length
        ? batchRefused(raced)
        : new ConflictError('batch:mac-in-use', 'a MAC of this batch got an active deployment meanwhile');
    }
    for (const { deployment } of created.deployments) {
      await this.opts.publish({ deploymentId: deployment.id, state: 'pending_approval', kind: 'created' });
    }
    return created;
  }

  /**
   * One decision for every member it applies to (approve and reject: the pending ones; cancel: every
   * active one), by the rules of a single deployment, audited once for the batch. Refused when it
   * applies to none (approving twice).
   */
  protected override async decide(
    id: number,
    verdict: Decision['verdict'],
    actor: Actor,
    permission: Permission,
    reason?: string,
  ): Promise<Batch> {
    const repo = this.repository();
    const batch = await repo.get(id);
    const refuse = async (error: AppError): Promise<never> => {
      const em = this.em();
      em.create(Decision, refusedBatchDecision(id, verdict, actor, error, this.now()));
      await em.flush();
      throw error;
    };
    const refusal = refusalOf(
      batch.requestedBy,
      { id, verdict, actor, permission },
      this.opts.allowSelfApproval,
      `batch #${id}`,
    );
    if (refusal) await refuse(refusal);
    const to = verdictState(verdict);
    const now = this.now();
    const moved = await this.em().transactional(async (tem) => {
      const patch = decisionPatch(to, now, actor, reason);
      const from = TRANSITIONS[to];
      const rows = await tem.getConnection().execute<{ id: number; status: string }[]>(
        `update "deployment" d set "status" = ?, "stage" = ?, "updated_at" = ?, "last_event_at" = ?,
           "approved_at" = coalesce(?, d."approved_at"), "finished_at" = coalesce(?, d."finished_at"),
           "failure_reason" = coalesce(?, d."failure_reason")
         from (select "id", "status" from "deployment" where "batch_id" = ? and "status" in (${from.map(() => '?').join(', ')}) for update) old
         where d."id" = old."id" returning d."id", old."status"`,
        [
          to,
          to,
          now,
          now,
          patch.approvedAt ?? null,
          patch.finishedAt ?? null,
          patch.failureReason ?? null,
          id,
          ...from,
        ],
        'all',
        tem.getTransactionContext(),
      );
      if (!rows.length) return rows;
      tem.create(Decision, {
        deploymentId: null,
        batchId: id,
        verdict,
        accepted: true,
        reason: reason ?? null,
        ...actorFields(actor),
        decidedAt: now,
      });
      for (const row of rows) {
        tem.create(DeploymentEvent, {
          deploymentId: row.id,
          stage: to,
          message: `${to} by ${actor.name} with batch #${id}${reason ? `: ${reason}` : ''}`,
          source: actor.platform,
          state: to,
          progress: null,
          receivedAt: now,
          postedAt: null,
        });
      }
      return rows;
    });
    if (!moved.length) {
      const by = await this.repository().decidedBy(id);
      const members = await this.repository().members(id);
      const active = members.filter((m) => (ACTIVE_STATES as readonly string[]).includes(m.status));
      const state = by ? `${verdictState(by.verdict).replace('_', ' ')} by ${by.actorName}` : 'decided';
      await refuse(
        new ConflictError(
          'batch:already-decided',
          verdict === 'cancel'
            ? `batch #${id} has no active deployment left to cancel`
            : `batch #${id} was already ${state}`,
          { activeMembers: active.length },
        ),
      );
    }
    for (const row of moved) {
      await this.opts.publish({
        deploymentId: row.id,
        state: to,
        kind: 'state',
        from: row.status as DeploymentChange['from'],
      });
    }
    return batch;
  }

  /** `{machine}` items become `{mac, hostname}` from the inventory; unknown names are problems. */
  private async resolveItems(
    machines: unknown[],
    problems: BatchProblem[],
  ): Promise<Map<number, { mac: string; hostname?: string | null }>> {
    const out = new Map<number, { mac: string; hostname?: string | null }>();
    const byName = new Map<number, string>();
    machines.forEach((raw, index) => {
      const item = batchItem.safeParse(raw);
      if (!item.success) {
        problems.push({
          index,
          target: itemTarget(raw),
          code: 'input:invalid',
          reason: 'expected {"mac": …, "hostname"?: …} or {"machine": …}',
        });
      } else if ('machine' in item.data) byName.set(index, item.data.machine.trim());
      else out.set(index, item.data);
    });
    if (byName.size) {
      const directory = this.opts.directory;
      const found: Map<string, DirectoryMachine> = directory
        ? await directory.findByNames([...new Set(byName.values())].map((n) => n.toLowerCase()))
        : new Map();
      for (const [index, name] of byName) {
        // Inventory names are lower case, like hostnames.
        const machine = found.get(name) ?? found.get(name.toLowerCase());
        if (machine) out.set(index, { mac: machine.mac, hostname: machine.name });
        else
          problems.push(
            problemOf(
              index,
              machines[index],
              directory
                ? new ValidationError(
                    `no machine named ${name} in the inventory`,
                    undefined,
                    'machine:not-found',
                  )
                : inventoryUnavailable(`machine ${name}`),
            ),
          );
      }
    }
    return new Map([...out].sort((a, b) => a[0] - b[0]));
  }

  /** Items whose MAC already has an active deployment. */
  private async activeConflicts(
    em: EntityManager,
    valid: { index: number; request: ValidDeployRequest }[],
    machines: unknown[],
    problems: BatchProblem[],
  ): Promise<void> {
    if (!valid.length) return;
    const active = await em.find(
      Deployment,
      { mac: { $in: valid.map((v) => v.request.mac) }, status: { $in: [...ACTIVE_STATES] } },
      { refresh: true },
    );
    const byMac = new Map(active.map((d) => [d.mac, d]));
    for (const { index, request } of valid) {
      const d = byMac.get(request.mac);
      if (!d) continue;
      problems.push({
        index,
        target: itemTarget(machines[index]),
        code: 'deploy:mac-in-use',
        reason: `${request.mac} already has deployment #${d.id} (${d.status}); cancel it first with /deploy-cancel ${d.id}`,
        deploymentId: d.id,
      });
    }
  }
}

/** A MAC or hostname listed twice: every later occurrence is a problem naming the first. */
function duplicates(
  valid: { index: number; request: ValidDeployRequest }[],
  machines: unknown[],
  problems: BatchProblem[],
): void {
  const macs = new Map<string, number>();
  const names = new Map<string, number>();
  for (const { index, request } of valid) {
    const mac = macs.get(request.mac);
    const name = names.get(request.hostname.toLowerCase());
    if (mac !== undefined || name !== undefined) {
      problems.push({
        index,
        target: itemTarget(machines[index]),
        code: 'batch:duplicate',
        reason:
          mac !== undefined
            ? `${request.mac} is listed twice (also item ${mac})`
            : `hostname ${request.hostname} is listed twice (also item ${name})`,
      });
      continue;
    }
    macs.set(request.mac, index);
    names.set(request.hostname.toLowerCase(), index);
  }
}

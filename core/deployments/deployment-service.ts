import { type EntityManager, UniqueConstraintViolationException } from '@mikro-orm/postgresql';
import type { MicroBatcher } from '../db/micro-batch.js';
import type { Orm } from '../db/orm.js';
import type { SqlPool } from '../db/sql-pool.js';
import { ConflictError, NotFoundError, ValidationError } from '../errors.js';
import { createImageCache, type ImageCache } from '../images/image-cache.js';
import { type ImageReadiness, imageNotReadyError } from '../images/image-readiness.js';
import { ImageRepository } from '../images/image-repository.js';
import { OsImage } from '../images/os-image.entity.js';
import type { ResolvedProfile } from '../images/profiles.js';
import type { ReadinessCache } from '../images/readiness-cache.js';
import type { Mac } from '../mac.js';
import { resolveDeployTarget } from '../machines/deploy-target.js';
import { MachineRepository } from '../machines/machine-repository.js';
import type { PowerStage } from '../power/power-stages.js';
import type { SecretBox } from '../secrets/secret-box.js';
import { type BootFailure, type BootFailureOutcome, recordBootFailure } from './boot-failures.js';
import { decideDeployment, type Permission } from './decide.js';
import type { Decision } from './decision.entity.js';
import { DecisionVerbs } from './decision-verbs.js';
import { validateDeployRequest } from './deploy-request.js';
import { type Actor, type BootInfo, Deployment, type TemplatePins } from './deployment.entity.js';
import { DeploymentEvent } from './deployment-event.entity.js';
import { createDeploymentLookups, type DeploymentLookups } from './deployment-lookups.js';
import { DeploymentRepository } from './deployment-repository.js';
import type { DeploymentSecrets } from './deployment-secrets.js';
import { ACTIVE_STATES, type DeploymentState, isActive } from './lifecycle.js';
import {
  createMarkBootingBatch,
  type MarkBootingInput,
  type MarkBootingResult,
} from './mark-booting-batch.js';
import { newDeploymentRow } from './new-deployment.js';
import { type EventInput, type RecordedEvent, validateEvent } from './record-event.js';
import { createRecordEventsBatch, type EventRow } from './record-events-batch.js';

/** Published after every committed change, so workers and chat can react. */
export interface DeploymentChange {
  deploymentId: number;
  state: DeploymentState;
  kind: 'created' | 'state' | 'event';
  /** For a state change: the state it left, when known (a cancel may leave any active state). */
  from?: DeploymentState;
}

export interface DeploymentServiceOptions {
  orm: Orm;
  /** Plain pool for the boot path's batched statements (lookups, markBooting, recordEvent). */
  sql: SqlPool;
  /** Whether image-change notifications arrive now; the image cache is bypassed while not. */
  imagesCacheTrusted?: () => boolean;
  secretBox: SecretBox;
  approvalTimeoutMinutes: number;
  allowSelfApproval: boolean;
  tokenGraceMinutes: number;
  /** Whether a hardware profile exists. @defaultValue the built-in profiles */
  profileExists?: (name: string) => Promise<boolean>;
  /** Fixed Windows Administrator password; a random one per deployment when absent. */
  windowsAdminPassword?: string;
  onChange?: (change: DeploymentChange) => void | Promise<void>;
  now?: () => Date;
  /** Errors from onChange are reported here, never thrown: Postgres already holds the truth. */
  onHookError?: (error: unknown) => void;
  /** Readiness of images' files (local files under ARTIFACTS_DIR); cleared with the image cache. */
  readiness?: ReadinessCache;
  /**
   * Refuse requests for images whose files are missing (IMAGE_PREFLIGHT). Needs `readiness`.
   * @defaultValue false
   */
  preflight?: boolean;
  /** ARTIFACTS_DIR, named in the refusal. */
  artifactsDir?: string;
}

export type { Permission } from './decide.js';
export type { DeploymentSecrets } from './deployment-secrets.js';

const MINUTE = 60_000;

/** The deployment state machine: every transition one compare-and-set in Postgres. */
export class DeploymentService extends DecisionVerbs<Deployment> {
  private readonly lookups: DeploymentLookups;
  private readonly bootingBatch: MicroBatcher<MarkBootingInput, MarkBootingResult>;
  private readonly eventsBatch: MicroBatcher<EventRow, RecordedEvent | null>;
  private readonly imageCache: ImageCache;

  constructor(private readonly opts: DeploymentServiceOptions) {
    super();
    this.lookups = createDeploymentLookups(opts.sql);
    this.bootingBatch = createMarkBootingBatch(opts.sql);
    this.eventsBatch = createRecordEventsBatch(opts.sql);
    this.imageCache = createImageCache((id) => new ImageRepository(this.em()).get(id), {
      trusted: opts.imagesCacheTrusted,
    });
  }

  private em(): EntityManager {
    return this.opts.orm.em.fork();
  }

  private now(): Date {
    return this.opts.now?.() ?? new Date();
  }

  /** Read-side queries on a fresh EntityManager. */
  repository(): DeploymentRepository {
    return new DeploymentRepository(this.em());
  }

  images(): ImageRepository {
    return new ImageRepository(this.em(), () => this.imageCache.clear());
  }

  /** An OS image for rendering, from a cache cleared by every image write (see {@link ImageCache}). */
  image(id: string): Promise<OsImage> {
    return this.imageCache.get(id);
  }

  /** Drops cached images and their readiness: an image changed, or changes may have been missed. */
  forgetImages(): void {
    this.imageCache.clear();
    this.opts.readiness?.forget();
  }

  /** Whether an image's files are in place (cached; see {@link ReadinessCache}); null without a checker. */
  async readiness(image: OsImage): Promise<ImageReadiness | null> {
    return this.opts.readiness ? this.opts.readiness.get(image) : null;
  }

  /**
   * The preflight of every way a deployment is created (chat, API, batches, dashboard): throws
   * `deploy:image-not-ready` naming the missing files when preflight is on and the image cannot boot.
   * Call it before anything is written.
   */
  async assertImageReady(image: OsImage): Promise<void> {
    if (!this.opts.preflight || !this.opts.readiness) return;
    const readiness = await this.opts.readiness.get(image);
    if (!readiness.ready) throw imageNotReadyError(readiness, this.opts.artifactsDir ?? 'ARTIFACTS_DIR');
  }

  /** Creates a deployment in pending_approval; returns its generated password once, for a private message. */
  async request(input: unknown, actor: Actor): Promise<{ deployment: Deployment; password: string | null }> {
    const em = this.em();
    const target = await resolveDeployTarget(input, (name) => new MachineRepository(em).findByName(name));
    const valid = await validateDeployRequest(
      target,
      (id) => em.findOne(OsImage, { id }),
      async () => (await em.find(OsImage, {}, { orderBy: { id: 'asc' }, fields: ['id'] })).map((i) => i.id),
      this.opts.profileExists,
    );
    const image = await em.findOneOrFail(OsImage, { id: valid.os });
    await this.assertImageReady(image);
    const fixed = image.family === 'windows' ? this.opts.windowsAdminPassword : undefined;
    const now = this.now();
    const { row, password } = newDeploymentRow(valid, actor, now, this.opts, fixed);
    const deployment = em.create(Deployment, row);
    try {
      await em.transactional(async (tem) => {
        await tem.persistAndFlush(deployment);
        tem.create(DeploymentEvent, {
          deploymentId: deployment.id,
          stage: 'requested',
          message: `requested by ${actor.name}`,
          source: actor.platform,
          state: 'pending_approval',
          progress: null,
          receivedAt: now,
          postedAt: null,
        });
      });
    } catch (error) {
      if (error instanceof UniqueConstraintViolationException) {
        const active = await this.repository().findActiveByMac(valid.mac);
        throw new ConflictError(
          'deploy:mac-in-use',
          active
            ? `${valid.mac} already has deployment #${active.id} (${active.status}); cancel it first with /deploy-cancel ${active.id}`
            : `${valid.mac} already has an active deployment`,
          active ? { deploymentId: active.id, status: active.status } : undefined,
        );
      }
      throw error;
    }
    await this.publish({ deploymentId: deployment.id, state: 'pending_approval', kind: 'created' });
    return { deployment, password: fixed ? null : password };
  }

  protected override async decide(
    id: number,
    verdict: Decision['verdict'],
    actor: Actor,
    permission: Permission,
    reason?: string,
  ): Promise<Deployment> {
    const to = await decideDeployment(
      { em: this.opts.orm.em, now: this.now(), allowSelfApproval: this.opts.allowSelfApproval },
      { id, verdict, actor, permission, reason },
    );
    await this.publish({
      deploymentId: id,
      state: to,
      kind: 'state',
      ...(verdict === 'cancel' ? {} : { from: 'pending_approval' as const }),
    });
    return this.repository().get(id);
  }

  /** Moves a pending request past its deadline to expired; null when it was decided meanwhile. */
  async expire(id: number): Promise<Deployment | null> {
    const now = this.now();
    const changed = await this.em().transactional(async (tem) => {
      const n = await tem.nativeUpdate(
        Deployment,
        { id, status: 'pending_approval', expiresAt: { $lte: now } },
        { status: 'expired', finishedAt: now, updatedAt: now, lastEventAt: now, stage: 'expired' },
      );
      if (n) {
        tem.create(DeploymentEvent, {
          deploymentId: id,
          stage: 'expired',
          message: 'nobody approved the request in time',
          source: 'worker',
          state: 'expired',
          progress: null,
          receivedAt: now,
          postedAt: null,
        });
      }
      return n > 0;
    });
    if (!changed) return null;
    await this.publish({ deploymentId: id, state: 'expired', kind: 'state', from: 'pending_approval' });
    return this.repository().get(id);
  }

  /**
   * Called when the boot server hands out the install script: approved → booting, remembering what the
   * machine reported. A second fetch while booting only refreshes the boot info.
   */
  async markBooting(
    id: number,
    boot: BootInfo,
    resolvedProfile: ResolvedProfile,
    extra: {
      /** Why this profile (`auto: rule 1 of kvm (manufacturer "QEMU")`), for the thread. */
      reason?: string;
      /** The template versions the install script rendered with; the first ones stay. */
      templates?: TemplatePins;
    } = {},
  ): Promise<Deployment> {
    const firmware =
      boot.platform === 'efi'
        ? 'UEFI'
        : boot.platform === 'pcbios'
          ? 'BIOS'
          : (boot.platform ?? 'unknown firmware');
    const input: MarkBootingInput = {
      id,
      boot,
      resolvedProfile,
      message: `${firmware}, ${boot.arch ?? 'unknown arch'}, profile ${resolvedProfile}${
        extra.reason && extra.reason !== 'requested' ? ` (${extra.reason})` : ''
      }`,
      at: this.now(),
      templates: extra.templates ?? null,
    };
    let result = await this.bootingBatch.run(input);
    // Still approved yet unchanged: another fetch of the same machine moved it after this statement's
    // snapshot was taken. A new statement sees that commit.
    if (!result.changed && result.deployment?.status === 'approved')
      result = await this.bootingBatch.run(input);
    if (!result.deployment) throw new NotFoundError(`deployment #${id} does not exist`, 'deploy:not-found');
    if (result.changed) {
      await this.publish({ deploymentId: id, state: 'booting', kind: 'state', from: 'approved' });
    }
    return result.deployment;
  }

  /** Records an installer stage; moves the state forward when the stage allows it, never backwards. */
  async recordEvent(id: number, input: EventInput): Promise<RecordedEvent> {
    const valid = validateEvent(input);
    const stored = await this.eventsBatch.run({ id, ...valid, at: this.now() });
    if (!stored) throw new NotFoundError(`deployment #${id} does not exist`, 'deploy:not-found');
    await this.publish({
      deploymentId: id,
      state: stored.deployment.status,
      kind: stored.changed ? 'state' : 'event',
      ...(stored.previousStatus ? { from: stored.previousStatus } : {}),
    });
    return stored;
  }

  /**
   * Records a step of the power sequence (`power_*`, core/power/power-stages.ts) of an active deployment:
   * an event for the thread, and the card's stage while the deployment is still approved. Never changes
   * the state. Answers false when the deployment is no longer active (nothing stored).
   */
  async recordPowerStep(id: number, stage: PowerStage, message: string): Promise<boolean> {
    const now = this.now();
    const stored = await this.em().transactional(async (tem) => {
      const d = await tem.findOne(
        Deployment,
        { id, status: { $in: [...ACTIVE_STATES] } },
        { fields: ['id', 'status'] },
      );
      if (!d) return null;
      if (d.status === 'approved')
        await tem.nativeUpdate(
          Deployment,
          { id, status: 'approved' },
          { stage, updatedAt: now, lastEventAt: now },
        );
      tem.create(DeploymentEvent, {
        deploymentId: id,
        stage,
        message,
        source: 'worker',
        state: null,
        progress: null,
        receivedAt: now,
        postedAt: null,
      });
      return d.status;
    });
    if (!stored) return false;
    await this.publish({ deploymentId: id, state: stored, kind: 'event' });
    return true;
  }

  /**
   * Records what went wrong on the boot path before the installer's first callback (a missing file, a
   * boot loop, a boot script's report): fails the deployment, or only records the event for a step a
   * second network boot can fix. Applies only while it is approved or booting: never moves it back.
   */
  async recordBootFailure(id: number, failure: BootFailure): Promise<BootFailureOutcome> {
    const outcome = await recordBootFailure(this.em(), id, failure, this.now());
    if (outcome.recorded && outcome.status) {
      await this.publish({
        deploymentId: id,
        state: outcome.status,
        kind: failure.fail ? 'state' : 'event',
        ...(failure.fail && outcome.from ? { from: outcome.from } : {}),
      });
    }
    return outcome;
  }

  /** A machine's active deployment (pending_approval … configuring), or null: the boot path's lookup. */
  activeByMac(mac: Mac): Promise<Deployment | null> {
    return this.lookups.activeByMac(mac);
  }

  /** Watchdog: fails a deployment still in `state` with no event since `cutoff`. */
  async failIfStale(id: number, state: DeploymentState, cutoff: Date, reason: string): Promise<boolean> {
    if (!isActive(state) || state === 'pending_approval')
      throw new ValidationError(`cannot time out a ${state} deployment`);
    const now = this.now();
    const changed = await this.em().transactional(async (tem) => {
      const n = await tem.nativeUpdate(
        Deployment,
        { id, status: state, lastEventAt: { $lte: cutoff } },
        {
          status: 'failed',
          failureReason: reason,
          finishedAt: now,
          updatedAt: now,
          lastEventAt: now,
          stage: 'watchdog',
        },
      );
      if (n) {
        tem.create(DeploymentEvent, {
          deploymentId: id,
          stage: 'watchdog',
          message: reason,
          source: 'worker',
          state: 'failed',
          progress: null,
          receivedAt: now,
          postedAt: null,
        });
      }
      return n > 0;
    });
    if (changed) await this.publish({ deploymentId: id, state: 'failed', kind: 'state', from: state });
    return changed;
  }

  /** The token that authorises a deployment's artifact and callback URLs. */
  tokenFor(deployment: Pick<Deployment, 'id' | 'tokenNonce'>): string {
    return this.opts.secretBox.tokenFor(deployment.id, deployment.tokenNonce);
  }

  /**
   * Resolves a presented token to its deployment. `purpose: 'artifact'` requires an active deployment;
   * `'callback'` also accepts one that ended less than TOKEN_GRACE_MINUTES ago.
   */
  async resolveToken(token: string, purpose: 'artifact' | 'callback'): Promise<Deployment | null> {
    let found: Deployment | null = null;
    const id = await this.opts.secretBox.verifyToken(token, async (candidate) => {
      found = await this.lookups.byId(candidate);
      return found ? found.tokenNonce : null;
    });
    const deployment = found as Deployment | null;
    if (id === null || !deployment) return null;
    if (isActive(deployment.status)) return deployment;
    if (purpose === 'artifact' || !deployment.finishedAt) return null;
    const graceEnds = deployment.finishedAt.getTime() + this.opts.tokenGraceMinutes * MINUTE;
    return this.now().getTime() <= graceEnds ? deployment : null;
  }

  /**
   * Decrypts a deployment's secrets. Given a loaded deployment whose lazy `secrets` column came along
   * (as {@link resolveToken} loads it), no query is made: secrets never change after the request.
   * Never log the result.
   */
  async secrets(deployment: number | Pick<Deployment, 'id' | 'secrets'>): Promise<DeploymentSecrets> {
    const id = typeof deployment === 'number' ? deployment : deployment.id;
    const sealed =
      typeof deployment !== 'number' && deployment.secrets
        ? deployment.secrets
        : (await this.em().findOne(Deployment, { id }, { populate: ['secrets'] }))?.secrets;
    if (!sealed) throw new NotFoundError(`deployment #${id} has no secrets`);
    return JSON.parse(this.opts.secretBox.decrypt(sealed)) as DeploymentSecrets;
  }

  private async publish(change: DeploymentChange): Promise<void> {
    try {
      await this.opts.onChange?.(change);
    } catch (error) {
      this.opts.onHookError?.(error);
    }
  }
}

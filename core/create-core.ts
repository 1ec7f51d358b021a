import { BatchService } from './batches/batch-service.js';
import { inventoryDirectory } from './batches/inventory-directory.js';
import type { MachineDirectory } from './batches/machine-directory.js';
import type { Config } from './config/index.js';
import { migrateUp, type Orm, openOrm } from './db/orm.js';
import { listenToChannel } from './db/pg-listener.js';
import { createSqlPool, type SqlPool } from './db/sql-pool.js';
import { type DeploymentChange, DeploymentService } from './deployments/deployment-service.js';
import { loadCatalogFile } from './images/catalog-file.js';
import { IMAGE_CHANGES_CHANNEL } from './images/image-cache.js';
import { ImageRepository } from './images/image-repository.js';
import { createReadinessCache } from './images/readiness-cache.js';
import type { Logger } from './logger.js';
import { MachineService } from './machines/machine-service.js';
import { PowerService } from './power/power-service.js';
import { ProfileRepository } from './profiles/profile-repository.js';
import { createProfileService, type ProfileService } from './profiles/profile-service.js';
import { builtinSet, createTemplateEngine, type TemplateEngine } from './render/template-engine.js';
import { resolveInstallationKey } from './secrets/installation-key.js';
import { createSecretBox, type SecretBox } from './secrets/secret-box.js';
import { TemplateRepository } from './templates/template-repository.js';
import {
  createTemplateStore,
  TEMPLATE_CHANGES_CHANNEL,
  type TemplateStore,
} from './templates/template-store.js';

/** What every role (bot, boot-server, worker) is built on. */
export interface Core {
  config: Config;
  logger: Logger;
  orm: Orm;
  /** Plain Postgres pool of the boot path's batched statements and health checks. */
  sql: SqlPool;
  secretBox: SecretBox;
  deployments: DeploymentService;
  /** The machine inventory (docs/power.md). */
  machines: MachineService;
  /** Power of inventory machines through their BMC. */
  power: PowerService;
  /** Several machines in one request (core/batches). */
  batches: BatchService;
  /** Renders templates; by default from {@link Core.templateStore}'s current set. */
  templates: TemplateEngine;
  /** Which version of each template renders: built-ins, operators' versions, deployments' pins. */
  templateStore: TemplateStore;
  /** Operators' template versions (the admin API checks content before it saves). */
  templateRepository(): TemplateRepository;
  /** Hardware profiles (`auto` and its rules). */
  profiles: ProfileService;
  /** Subscribe to committed deployment changes (the worker turns them into jobs). */
  onChange(listener: (change: DeploymentChange) => void | Promise<void>): void;
  close(): Promise<void>;
}

export interface CreateCoreOptions {
  /** Apply pending migrations and seed the catalog (npm start does; a single role may skip). */
  migrate?: boolean;
  /** Where batches resolve machine names and tags. @defaultValue the machine inventory */
  machineDirectory?: MachineDirectory | null;
}

/** Opens Postgres, applies migrations, seeds the catalog and builds the deployment service. */
export async function createCore(
  config: Config,
  logger: Logger,
  opts: CreateCoreOptions = {},
): Promise<Core> {
  const orm = await openOrm(config.DATABASE_URL, {
    debug: config.LOG_LEVEL === 'trace',
    logger: (message) => logger.trace({ orm: true }, message),
    // knex's own warnings (a pooled connection the server closed) would go to the console, which is the
    // shell adapter's chat; route them into the structured log instead.
    driverOptions: {
      log: {
        warn: (message: unknown) => logger.warn({ db: true }, String(message)),
        error: (message: unknown) => logger.error({ db: true }, String(message)),
        deprecate: (message: unknown) => logger.debug({ db: true }, String(message)),
        debug: (message: unknown) => logger.trace({ db: true }, String(message)),
      },
    },
  });
  try {
    if (opts.migrate ?? true) {
      const applied = await migrateUp(orm);
      if (applied.length) logger.info({ applied }, 'applied database migrations');
      const images = await loadCatalogFile(config.CATALOG_PATH);
      await new ImageRepository(orm.em.fork()).seed(images);
      await new ProfileRepository(orm.em.fork()).seed();
    }
    const { key, generated } = await resolveInstallationKey(orm.em.fork(), config.SECRET_KEY);
    if (generated)
      logger.warn(
        'SECRET_KEY is not set: using a key generated and stored in the database; set SECRET_KEY in production',
      );
    const secretBox = createSecretBox(key);
    const sql = createSqlPool(config.DATABASE_URL, {
      onIdleError: (error) =>
        logger.warn({ err: error }, 'an idle database connection failed; it will be replaced'),
    });
    const listeners: ((change: DeploymentChange) => void | Promise<void>)[] = [];
    const imageChanges = listenToChannel(config.DATABASE_URL, IMAGE_CHANGES_CHANNEL, {
      // Called only once connected, after `deployments` below exists.
      onNotification: () => deployments.forgetImages(),
      // Changes made while the connection was down were not heard: start over.
      onListening: () => deployments.forgetImages(),
      onError: (error) =>
        logger.warn(
          { err: error },
          'image change notifications interrupted; reading images uncached until back',
        ),
    });
    const publish = async (change: DeploymentChange) => {
      try {
        for (const listener of listeners) await listener(change);
      } catch (error) {
        logger.error({ err: error }, 'deployment change listener failed; the reconciler will catch up');
      }
    };
    const templateChanges = listenToChannel(config.DATABASE_URL, TEMPLATE_CHANGES_CHANNEL, {
      // A template or a profile changed (payload `template:<name>`, `profile:<name>`): reload both; they are small.
      onNotification: () => forgetTemplates(),
      onListening: () => forgetTemplates(),
      onError: (error) =>
        logger.warn(
          { err: error },
          'template change notifications interrupted; reading templates and profiles uncached until back',
        ),
    });
    const builtins = builtinSet(config.TEMPLATES_DIR);
    const templateStore = createTemplateStore(sql, builtins, { trusted: () => templateChanges.listening() });
    const profiles = createProfileService({
      em: () => orm.em.fork(),
      trusted: () => templateChanges.listening(),
    });
    const forgetTemplates = () => {
      profiles.forget();
      templateStore.reload().catch((error) => logger.warn({ err: error }, 'reloading templates failed'));
    };
    await templateStore.reload();
    const templates = createTemplateEngine(config.TEMPLATES_DIR, {
      builtins,
      current: () => templateStore.current(),
    });
    const deployments = new DeploymentService({
      orm,
      sql,
      imagesCacheTrusted: () => imageChanges.listening(),
      secretBox,
      approvalTimeoutMinutes: config.APPROVAL_TIMEOUT_MINUTES,
      allowSelfApproval: config.ALLOW_SELF_APPROVAL,
      tokenGraceMinutes: config.TOKEN_GRACE_MINUTES,
      windowsAdminPassword: config.WINDOWS_ADMIN_PASSWORD,
      readiness: createReadinessCache({ artifactsDir: config.ARTIFACTS_DIR }),
      preflight: config.IMAGE_PREFLIGHT,
      artifactsDir: config.ARTIFACTS_DIR,
      profileExists: (name) => profiles.exists(name),
      onChange: async (change) => {
        for (const listener of listeners) await listener(change);
      },
      onHookError: (error) =>
        logger.error({ err: error }, 'deployment change listener failed; the reconciler will catch up'),
    });
    const machines = new MachineService({ orm, secretBox });
    const power = new PowerService({
      orm,
      machines,
      logger: logger.child({ component: 'power' }),
      driver: { timeoutMs: config.BMC_TIMEOUT_SECONDS * 1000 },
    });
    const batches = new BatchService({
      orm,
      secretBox,
      approvalTimeoutMinutes: config.APPROVAL_TIMEOUT_MINUTES,
      allowSelfApproval: config.ALLOW_SELF_APPROVAL,
      windowsAdminPassword: config.WINDOWS_ADMIN_PASSWORD,
      directory: opts.machineDirectory ?? inventoryDirectory(machines),
      publish,
      assertImageReady: (image) => deployments.assertImageReady(image),
      profileExists: (name) => profiles.exists(name),
    });
    return {
      config,
      logger,
      orm,
      sql,
      secretBox,
      deployments,
      machines,
      power,
      batches,
      templates,
      templateStore,
      templateRepository: () =>
        new TemplateRepository(orm.em.fork(), templates.builtins, () => templateStore.reload()),
      profiles,
      onChange: (listener) => listeners.push(listener),
      close: async () => {
        await imageChanges.close();
        await templateChanges.close();
        await sql.end();
        await orm.close();
      },
    };
  } catch (error) {
    await orm.close();
    throw error;
  }
}

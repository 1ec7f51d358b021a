import type { EntityManager } from '@mikro-orm/postgresql';
import { Deployment } from '../deployments/deployment.entity.js';
import { ACTIVE_STATES } from '../deployments/lifecycle.js';
import { ConflictError, NotFoundError, ValidationError } from '../errors.js';
import { TEMPLATE_CHANGES_CHANNEL } from '../templates/template-store.js';
import { BUILTIN_PROFILES, FALLBACK_PROFILE } from './builtin-profiles.js';
import { HardwareProfile } from './hardware-profile.entity.js';
import { profileInput, profileName } from './profile-schema.js';

/** Hardware profiles in Postgres; every write is announced on {@link TEMPLATE_CHANGES_CHANNEL}. */
export class ProfileRepository {
  constructor(
    private readonly em: EntityManager,
    private readonly onWrite: () => Promise<void> | void = () => {},
  ) {}

  private async written(name: string): Promise<void> {
    await this.em
      .getConnection()
      .execute('select pg_notify(?, ?)', [TEMPLATE_CHANGES_CHANNEL, `profile:${name}`]);
    await this.onWrite();
  }

  list(): Promise<HardwareProfile[]> {
    return this.em.find(HardwareProfile, {}, { orderBy: { priority: 'asc', name: 'asc' } });
  }

  async get(name: string): Promise<HardwareProfile> {
    const profile = /^[a-z0-9-]{1,32}$/.test(name) ? await this.em.findOne(HardwareProfile, { name }) : null;
    if (!profile) throw new NotFoundError(`unknown profile "${name.slice(0, 40)}"`, 'profile:unknown');
    return profile;
  }

  /** Creates or replaces a profile; returns it and whether it was created. */
  async put(name: string, input: unknown): Promise<{ profile: HardwareProfile; created: boolean }> {
    const validName = profileName.safeParse(name);
    if (!validName.success) {
      throw new ValidationError(
        `profile name: ${validName.error.issues[0]!.message}`,
        undefined,
        'profile:invalid',
      );
    }
    const parsed = profileInput.safeParse(input ?? {});
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      throw new ValidationError(
        `profile ${issue.path.join('.') || 'body'}: ${issue.message}`,
        parsed.error.issues,
        'profile:invalid',
      );
    }
    let profile = await this.em.findOne(HardwareProfile, { name });
    const created = !profile;
    if (!profile) {
      profile = this.em.create(HardwareProfile, {
        name,
        ...parsed.data,
        source: 'operator',
        createdAt: new Date(),
        updatedAt: new Date(),
      });
    } else {
      this.em.assign(profile, { ...parsed.data, source: 'operator', updatedAt: new Date() });
    }
    await this.em.flush();
    await this.written(name);
    return { profile, created };
  }

  /**
   * Deletes an operator's profile, or turns a built-in back into its shipped definition. A profile that
   * an active deployment asked for by name cannot be deleted (409).
   */
  async delete(name: string): Promise<HardwareProfile | null> {
    const profile = await this.get(name);
    const builtin = BUILTIN_PROFILES.find((p) => p.name === name);
    if (builtin) {
      this.em.assign(profile, { ...builtin, source: 'builtin', updatedAt: new Date() });
      await this.em.flush();
      await this.written(name);
      return profile;
    }
    const active = await this.em.count(Deployment, { profile: name, status: { $in: [...ACTIVE_STATES] } });
    if (active) {
      throw new ConflictError(
        'profile:in-use',
        `profile "${name}" is used by ${active} active deployment(s)`,
      );
    }
    await this.em.remove(profile).flush();
    await this.written(name);
    return null;
  }

  /** Inserts the built-in profiles and refreshes those nobody edited. */
  async seed(): Promise<void> {
    for (const p of BUILTIN_PROFILES) {
      await this.em.getConnection().execute(
        `insert into "hardware_profile" ("name", "priority", "match", "windows_drivers", "kernel_args", "serial_console", "source", "created_at", "updated_at")
         values (?, ?, ?, ?, ?, ?, 'builtin', now(), now())
         on conflict ("name") do update set "priority" = excluded."priority", "match" = excluded."match",
           "windows_drivers" = excluded."windows_drivers", "kernel_args" = excluded."kernel_args",
           "serial_console" = excluded."serial_console", "updated_at" = now()
         where "hardware_profile"."source" = 'builtin'
           and ("hardware_profile"."match", "hardware_profile"."priority", "hardware_profile"."windows_drivers", "hardware_profile"."kernel_args", "hardware_profile"."serial_console")
             is distinct from (excluded."match", excluded."priority", excluded."windows_drivers", excluded."kernel_args", excluded."serial_console")`,
        [p.name, p.priority, JSON.stringify(p.match), p.windowsDrivers, p.kernelArgs, p.serialConsole],
      );
    }
    await this.written('*');
  }
}

export { FALLBACK_PROFILE };

import type { EntityManager } from '@mikro-orm/postgresql';
import type { BootInfo } from '../deployments/deployment.entity.js';
import type { ProfileData } from './builtin-profiles.js';
import { ProfileRepository } from './profile-repository.js';
import { chooseProfile, type ProfileChoice } from './profile-rules.js';

/**
 * Hardware profiles for the boot path: the list is read once and kept until a write is announced (see
 * TEMPLATE_CHANGES_CHANNEL); while notifications are not arriving it is read on every use, and after
 * `ttlMs` in any case.
 */
export interface ProfileService {
  list(): Promise<ProfileData[]>;
  /** The profile a deployment that asked for `requested` (`auto` or a name) uses on this machine. */
  choose(requested: string, boot: BootInfo | null | undefined): Promise<ProfileChoice>;
  /** Whether `name` is `auto` or an existing profile. */
  exists(name: string): Promise<boolean>;
  repository(): ProfileRepository;
  forget(): void;
}

export function createProfileService(opts: {
  em: () => EntityManager;
  trusted?: () => boolean;
  /** @defaultValue 60 000 ms */
  ttlMs?: number;
}): ProfileService {
  const trusted = opts.trusted ?? (() => true);
  const ttlMs = opts.ttlMs ?? 60_000;
  let cached: { list: Promise<ProfileData[]>; until: number } | null = null;
  const load = async (): Promise<ProfileData[]> =>
    (await new ProfileRepository(opts.em()).list()).map((p) => ({
      name: p.name,
      priority: p.priority,
      match: p.match,
      windowsDrivers: p.windowsDrivers,
      kernelArgs: p.kernelArgs,
      serialConsole: p.serialConsole,
    }));
  const list = () => {
    if (!trusted()) return load();
    if (cached && cached.until > Date.now()) return cached.list;
    const entry = { list: load(), until: Date.now() + ttlMs };
    cached = entry;
    entry.list.catch(() => {
      if (cached === entry) cached = null;
    });
    return entry.list;
  };
  const forget = () => {
    cached = null;
  };
  return {
    list,
    async choose(requested, boot) {
      return chooseProfile(requested, await list(), boot);
    },
    async exists(name) {
      return name === 'auto' || (await list()).some((p) => p.name === name);
    },
    repository: () => new ProfileRepository(opts.em(), forget),
    forget,
  };
}

import type { BootInfo } from '../deployments/deployment.entity.js';
import { FALLBACK_PROFILE, type ProfileData } from './builtin-profiles.js';
import type { ProfileRule } from './hardware-profile.entity.js';

/** The profile a deployment uses and why, for the `booting` thread line. */
export interface ProfileChoice {
  profile: ProfileData;
  /** `requested`, `auto: rule 1 of kvm (manufacturer "QEMU")`, `auto: no rule matched`. */
  reason: string;
}

/**
 * What `auto` (or a named profile) means for a machine: profiles are walked by priority (then name), each
 * profile's rules in order; the first rule whose every field matches picks its profile. SMBIOS strings
 * match case-insensitively as substrings (`QEMU` in `QEMU`, `VMware` in `VMware, Inc.`); `pciVendor`
 * equals one of the PCI vendor ids the machine reported. Nothing matched: {@link FALLBACK_PROFILE}.
 */
export function chooseProfile(
  requested: string,
  profiles: readonly ProfileData[],
  boot: Pick<BootInfo, 'manufacturer' | 'product' | 'pciVendors'> | null | undefined,
): ProfileChoice {
  const byName = (name: string) => profiles.find((p) => p.name === name);
  if (requested !== 'auto') {
    const named = byName(requested);
    if (named) return { profile: named, reason: 'requested' };
  }
  const ordered = [...profiles].sort((a, b) => a.priority - b.priority || a.name.localeCompare(b.name));
  for (const profile of ordered) {
    const index = profile.match.findIndex((rule) => ruleMatches(rule, boot));
    if (index >= 0) {
      return {
        profile,
        reason: `auto: rule ${index + 1} of ${profile.name} (${describeRule(profile.match[index]!)})`,
      };
    }
  }
  const fallback = byName(FALLBACK_PROFILE) ?? {
    name: FALLBACK_PROFILE,
    priority: 1000,
    match: [],
    windowsDrivers: 'baremetal',
    kernelArgs: '',
    serialConsole: null,
  };
  return {
    profile: fallback,
    reason:
      requested === 'auto'
        ? 'auto: no rule matched'
        : `profile "${requested}" no longer exists: ${FALLBACK_PROFILE}`,
  };
}

export function ruleMatches(
  rule: ProfileRule,
  boot: Pick<BootInfo, 'manufacturer' | 'product' | 'pciVendors'> | null | undefined,
): boolean {
  const fields = Object.keys(rule) as (keyof ProfileRule)[];
  if (!fields.length) return false;
  const contains = (have: string | undefined, want: string) =>
    !!have && have.toLowerCase().includes(want.toLowerCase());
  return fields.every((field) => {
    const want = rule[field]!;
    if (field === 'pciVendor') return (boot?.pciVendors ?? []).includes(want.toLowerCase());
    return contains(boot?.[field], want);
  });
}

/** `manufacturer "Microsoft Corporation", product "Virtual Machine"` */
export function describeRule(rule: ProfileRule): string {
  // A fixed order: Postgres jsonb does not keep the order keys were written in.
  return (['manufacturer', 'product', 'pciVendor'] as const)
    .filter((field) => rule[field] !== undefined)
    .map((field) => `${field} "${rule[field]}"`)
    .join(', ');
}

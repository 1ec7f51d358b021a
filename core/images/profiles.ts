import { BUILTIN_PROFILES } from '../profiles/builtin-profiles.js';
import { chooseProfile } from '../profiles/profile-rules.js';

/**
 * Names of the built-in hardware profiles, and `auto`. Profiles are data (core/profiles, GET
 * /api/v1/profiles): operators add their own, so any other name may exist too.
 */
export const PROFILES = ['auto', ...BUILTIN_PROFILES.map((p) => p.name)] as const;
/** A profile name as a deployment asks for it: `auto` or a profile's name. */
export type Profile = string;
/** A profile `auto` resolved to. */
export type ResolvedProfile = string;

/**
 * What `requested` means for a machine under the built-in profiles only (no database at hand). The
 * boot path asks {@link ProfileService.choose}, which knows the operator's profiles.
 */
export function resolveProfile(
  requested: Profile,
  manufacturer?: string | null,
  product?: string | null,
): ResolvedProfile {
  return chooseProfile(requested, BUILTIN_PROFILES, {
    ...(manufacturer ? { manufacturer } : {}),
    ...(product ? { product } : {}),
  }).profile.name;
}

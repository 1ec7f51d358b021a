import { BUILTIN_PROFILES } from '../profiles/builtin-profiles.js';

/**
 * Names of the built-in hardware profiles, and `auto`. Profiles are data (core/profiles, GET
 * /api/v1/profiles): operators add their own, so any other name may exist too.
 */
export const PROFILES = ['auto', ...BUILTIN_PROFILES.map((p) => p.name)] as const;
/** A profile name as a deployment asks for it: `auto` or a profile's name. */
export type Profile = string;
/** A profile `auto` resolved to. */
export type ResolvedProfile = string;

import { z } from 'zod';
import { normaliseDiskRule } from '../disks/disk-rule.js';
import { ValidationError } from '../errors.js';
import { hostnameFromMac, validateHostname } from '../hostname.js';
import type { OsImage } from '../images/os-image.entity.js';
import { PROFILES, type Profile } from '../images/profiles.js';
import { type Mac, parseMac, printable } from '../mac.js';
import { describeIssue } from '../zod-issue.js';

/** What a user asks for, from chat or the API, before validation. */
export const deployRequestInput = z.object({
  mac: z.string({ required_error: 'mac is required (e.g. mac:00:15:5d:01:02:03)' }).max(64),
  os: z.string({ required_error: 'os is required (see /images)' }).max(64),
  edition: z.string().max(64).nullish(),
  hostname: z.string().max(256).nullish(),
  profile: z.string().max(32).nullish(),
  /** A machine of the inventory instead of a MAC (resolved before validation, core/machines/deploy-target.ts). */
  machine: z.string().max(63).nullish(),
  /** The machine keeps UEFI Secure Boot on: only images marked `secureBoot` in the catalog may go to it. */
  secureBoot: z.boolean().nullish(),
  /** Disk rule (`serial:…`, `model:…`, `size:100-200`, `smallest:32`); default: the image's. */
  disk: z.string().max(96).nullish(),
});
export type DeployRequestInput = z.input<typeof deployRequestInput>;

export interface ValidDeployRequest {
  mac: Mac;
  os: string;
  edition: string | null;
  hostname: string;
  profile: Profile;
  secureBoot: boolean | null;
  /** Canonical disk rule, or null for the image's (core/disks/disk-rule.ts). */
  disk: string | null;
}

/**
 * Validates a request against the catalog: every value checked here is safe to render in any template.
 * `findImage` returns null for an unknown id.
 */
export async function validateDeployRequest(
  input: unknown,
  findImage: (id: string) => Promise<OsImage | null>,
  listImageIds: () => Promise<string[]>,
  /** Whether a profile name exists (`auto` always does). @defaultValue the built-in profiles */
  profileExists: (name: string) => Promise<boolean> = async (name) =>
    (PROFILES as readonly string[]).includes(name),
): Promise<ValidDeployRequest> {
  const parsed = deployRequestInput.safeParse(input);
  if (!parsed.success) {
    throw new ValidationError(describeIssue(parsed.error));
  }
  const req = parsed.data;
  const mac = parseMac(req.mac);
  const osId = req.os.trim().toLowerCase();
  const image = /^[a-z0-9-]{1,32}$/.test(osId) ? await findImage(osId) : null;
  if (!image) {
    const ids = await listImageIds();
    throw new ValidationError(
      `unknown os "${printable(req.os)}"; choose one of: ${ids.join(', ')}`,
      undefined,
      'deploy:unknown-os',
    );
  }
  let edition: string | null = null;
  if (image.editions) {
    const wanted =
      req.edition?.trim().toLowerCase() || image.defaultEdition || Object.keys(image.editions)[0]!;
    if (!Object.hasOwn(image.editions, wanted)) {
      throw new ValidationError(
        `unknown edition "${printable(wanted)}" for ${image.id}; choose one of: ${Object.keys(image.editions).sort().join(', ')}`,
        undefined,
        'deploy:unknown-edition',
      );
    }
    edition = wanted;
    const chosen = image.editions[wanted]!;
    // learn.microsoft.com/windows-hardware/manufacture/desktop/add-a-custom-script-to-windows-setup:
    // with an OEM key (as in a laptop's or server's firmware), Setup skips SetupComplete.cmd except on
    // Enterprise and Server. Without a key of ours the firmware's is used: no first-boot report, and the
    // answer file with its passwords is never deleted.
    if (!chosen.productKey && !/server|enterprise/i.test(chosen.imageName)) {
      throw new ValidationError(
        `${image.id} ${wanted} has no productKey in the catalog: on a machine with an OEM key in its firmware Windows would skip SetupComplete.cmd, so the deployment would never report done and the answer file would keep its passwords. Add the edition's productKey (its KMS client key, or your own) to the catalog`,
        undefined,
        'deploy:no-product-key',
      );
    }
  } else if (req.edition) {
    throw new ValidationError(
      `${image.id} has no editions; leave edition out`,
      undefined,
      'deploy:unknown-edition',
    );
  }
  const profile = (req.profile?.trim().toLowerCase() || 'auto') as Profile;
  if (!/^[a-z0-9-]{1,32}$/.test(profile) || !(await profileExists(profile))) {
    throw new ValidationError(
      `unknown profile "${printable(req.profile ?? '')}"; use auto or a profile from GET /api/v1/profiles (built in: ${PROFILES.join(', ')})`,
    );
  }
  const hostname = req.hostname?.trim()
    ? validateHostname(req.hostname, image.family)
    : hostnameFromMac(mac, image.family);
  const secureBoot = req.secureBoot ?? null;
  if (secureBoot && !image.boot.secureBoot) {
    throw new ValidationError(
      `${image.id} is not Secure Boot capable (its boot files are not signed), and this machine keeps Secure Boot on; deploy an image marked secureBoot in the catalog or turn Secure Boot off`,
      undefined,
      'deploy:secure-boot-unsupported',
    );
  }
  const disk = normaliseDiskRule(req.disk);
  if (disk?.startsWith('wwn:') && image.family === 'windows') {
    throw new ValidationError(
      "disk: WinPE cannot read a disk's WWN; use serial:, model:, size: or smallest: for Windows",
      undefined,
      'deploy:bad-disk-rule',
    );
  }
  return { mac, os: image.id, edition, hostname, profile, secureBoot, disk };
}

import { ValidationError } from '../errors.js';
import { parseMac, printable } from '../mac.js';
import type { Machine } from './machine.entity.js';

/**
 * Turns a request that names a machine (`{"machine":"web01","os":…}`, chat `host:web01`) into one with
 * the inventory's MAC, and its name, profile and disk rule unless the request gives its own. A request without
 * `machine` passes unchanged. A MAC given too must be the machine's.
 */
export async function resolveDeployTarget(
  input: unknown,
  findMachine: (name: string) => Promise<Machine | null>,
): Promise<unknown> {
  if (!input || typeof input !== 'object') return input;
  const { machine: name, ...rest } = input as Record<string, unknown>;
  if (name === undefined || name === null) return rest;
  if (typeof name !== 'string' || !name.trim() || name.length > 63)
    throw new ValidationError(
      'machine: must be the name of a machine in the inventory',
      undefined,
      'machine:invalid',
    );
  const machine = await findMachine(name);
  if (!machine)
    throw new ValidationError(
      `no machine named "${printable(name)}"; add it with PUT /api/v1/machines/${encodeURIComponent(name.trim().toLowerCase())} or deploy by mac:`,
      undefined,
      'machine:not-found',
    );
  if (typeof rest.mac === 'string' && rest.mac.trim() && parseMac(rest.mac) !== machine.mac)
    throw new ValidationError(
      `mac ${printable(rest.mac)} is not the MAC of machine ${machine.name} (${machine.mac}); give one or the other`,
      undefined,
      'deploy:machine-mismatch',
    );
  return {
    ...rest,
    mac: machine.mac,
    hostname: rest.hostname ?? machine.name,
    profile: rest.profile ?? machine.profile,
    disk: rest.disk ?? machine.disk,
  };
}

import type { BatchItem } from '../../core/batches/batch-request.js';
import { expandNameRange } from '../../core/batches/name-range.js';
import { ValidationError } from '../../core/errors.js';
import type { DeployKey } from './parse-args.js';

const bad = (message: string) => new ValidationError(message, undefined, 'command:bad-arguments');

/** What `/deploy` asks for: one machine as before, several by MAC or name, or every machine of a tag. */
export type DeployPlan =
  | {
      kind: 'single';
      request: Partial<Record<'mac' | 'machine' | 'os' | 'edition' | 'hostname' | 'profile', string>>;
    }
  | { kind: 'batch'; shared: Shared; items: BatchItem[] }
  | { kind: 'tag'; shared: Shared; tag: string };

type Shared = { os?: string; edition?: string; profile?: string };

/**
 * Reads the targets of `/deploy`: `mac:a,b,c` (several MACs), `hostname:web[01-03]` paired with them in
 * order, `host:web[01-20]` (inventory names) or `tag:rack12`. One MAC with at most one hostname is a
 * plain deployment, exactly as before batches existed.
 */
export function planDeploy(args: Partial<Record<DeployKey, string>>): DeployPlan {
  const { mac, hostname, host, tag, ...rest } = args;
  const shared: Shared = { os: rest.os, edition: rest.edition, profile: rest.profile };
  const given = [mac && 'mac:', host && 'host:', tag && 'tag:'].filter(Boolean);
  if (given.length > 1) {
    throw bad(`name the machines one way: ${given.join(' or ')}, not both`);
  }
  if (tag !== undefined) {
    if (hostname) throw bad('hostname: cannot be given with tag: (the inventory names the machines)');
    return { kind: 'tag', shared, tag: tag.trim() };
  }
  if (host !== undefined) {
    const names = host.split(',').flatMap((h) => (h.trim() ? expandNameRange(h) : []));
    // One inventory machine is a plain deployment of it (its MAC, name and profile from the inventory).
    if (names.length === 1) {
      return { kind: 'single', request: { ...rest, machine: names[0]!, ...(hostname ? { hostname } : {}) } };
    }
    if (hostname) throw bad('hostname: cannot be given with several host: machines (each is its own name)');
    return { kind: 'batch', shared, items: names.map((machine) => ({ machine })) };
  }
  // No target at all: the core's own "mac is required" answers, as before batches.
  if (mac === undefined) return { kind: 'single', request: rest };
  const macs = mac
    .split(',')
    .map((m) => m.trim())
    .filter(Boolean);
  if (!macs.length) throw bad(`mac: needs a value, e.g. mac:00:15:5d:01:02:03`);
  const names = hostname === undefined ? null : expandNameRange(hostname);
  if (macs.length === 1 && (!names || names.length === 1)) {
    return { kind: 'single', request: { ...rest, mac: macs[0]!, ...(names ? { hostname: names[0] } : {}) } };
  }
  if (names && names.length !== macs.length) {
    throw bad(
      `${macs.length} MAC(s) but ${names.length} hostname(s) from "${hostname}": give one hostname per MAC, in the same order`,
    );
  }
  return {
    kind: 'batch',
    shared,
    items: macs.map((m, i) => ({ mac: m, ...(names ? { hostname: names[i]! } : {}) })),
  };
}

import { ValidationError } from '../../core/errors.js';
import { printable } from '../../core/mac.js';

/** Options of `/deploy`, in the order help shows them. */
export const DEPLOY_KEYS = ['mac', 'host', 'os', 'edition', 'hostname', 'profile', 'tag', 'disk'] as const;
export type DeployKey = (typeof DEPLOY_KEYS)[number];

export const DEPLOY_USAGE =
  '/deploy mac:<mac>[,<mac>…]|host:<machine> os:<id> [edition:<name>] [hostname:<name or web[01-20]>] [profile:auto|hyperv-gen2|kvm|baremetal] [disk:serial:<s>|model:<m>|size:<min>-<max>|smallest:<GB>]';

/** The other ways to name machines: several at once from the inventory. */
export const DEPLOY_BATCH_USAGE = '/deploy host:web[01-20] os:<id> or /deploy tag:rack12 os:<id>';

const bad = (message: string) => new ValidationError(message, undefined, 'command:bad-arguments');

/**
 * Parses `/deploy` text: `key:value` pairs in any order (`key=value` too, and `key: value` with a space,
 * as people type in Slack). Values may hold colons (MACs). Errors are one line that says what to fix.
 */
export function parseDeployText(text: string | undefined): Partial<Record<DeployKey, string>> {
  const tokens = (text ?? '').trim().split(/\s+/).filter(Boolean);
  if (!tokens.length) throw bad(`tell me what to deploy: ${DEPLOY_USAGE}`);
  const out: Partial<Record<DeployKey, string>> = {};
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i]!;
    const match = /^([a-z_-]+)[:=](.*)$/i.exec(token);
    if (!match) {
      throw bad(
        `"${printable(token)}" is not an option; write key:value, e.g. mac:00:15:5d:01:02:03 os:ws2025`,
      );
    }
    const key = match[1]!.toLowerCase();
    let value = match[2]!;
    if (!isDeployKey(key)) {
      throw bad(`unknown option "${printable(key)}"; use ${DEPLOY_KEYS.map((k) => `${k}:`).join(', ')}`);
    }
    if (value === '' && tokens[i + 1] && !/^[a-z_-]+[:=]/i.test(tokens[i + 1]!)) value = tokens[++i]!;
    if (value === '') throw bad(`${key}: needs a value, e.g. ${example(key)}`);
    if (out[key] !== undefined) throw bad(`${key}: is given twice; give each option once`);
    out[key] = value;
  }
  return out;
}

/** Normalises options a platform parsed itself (Discord): known keys only, strings, blanks dropped. */
export function deployOptions(
  options: Record<string, string | number | undefined>,
): Partial<Record<DeployKey, string>> {
  const out: Partial<Record<DeployKey, string>> = {};
  for (const [k, v] of Object.entries(options)) {
    const key = k.toLowerCase();
    if (!isDeployKey(key)) throw bad(`unknown option "${printable(k)}"; use ${DEPLOY_KEYS.join(', ')}`);
    if (v !== undefined && String(v).trim() !== '') out[key] = String(v).trim();
  }
  return out;
}

/** The single argument of `/deploy-status`, `/deploy-cancel`, `/approve`, `/reject`, plus the rest. */
export function firstArgument(
  text: string | undefined,
  options: Record<string, string | number | undefined> | undefined,
  usage: string,
): { arg: string; rest: string | null } {
  if (options) {
    const arg = options.id ?? options.target ?? options.deployment;
    const rest = options.reason;
    if (arg === undefined || String(arg).trim() === '') throw bad(`which deployment? ${usage}`);
    return { arg: String(arg).trim(), rest: rest ? String(rest) : null };
  }
  const trimmed = (text ?? '').trim();
  const [arg, ...rest] = trimmed.split(/\s+/);
  if (!arg) throw bad(`which deployment? ${usage}`);
  return { arg, rest: rest.length ? rest.join(' ') : null };
}

/** A deployment id as typed: `42` or `#42`. */
export function parseDeploymentId(arg: string, usage: string): number {
  const m = /^#?(\d{1,9})$/.exec(arg);
  if (!m) throw bad(`"${printable(arg)}" is not a deployment number; ${usage}`);
  return Number(m[1]);
}

function isDeployKey(key: string): key is DeployKey {
  return (DEPLOY_KEYS as readonly string[]).includes(key);
}

function example(key: DeployKey): string {
  return {
    mac: 'mac:00:15:5d:01:02:03',
    host: 'host:web01 or host:web[01-20] (see /machines)',
    os: 'os:ws2025 (see /images)',
    edition: 'edition:datacenter',
    hostname: 'hostname:srv01',
    profile: 'profile:kvm',
    tag: 'tag:rack12',
    disk: 'disk:serial:S3Z9NB0K123456',
  }[key];
}

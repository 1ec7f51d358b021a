import { isIP } from 'node:net';
import { z } from 'zod';
import { ValidationError } from '../errors.js';
import { validateHostname } from '../hostname.js';
import { diskRule } from '../images/image-schema.js';
import { PROFILES } from '../images/profiles.js';
import { type Mac, parseMac, printable } from '../mac.js';
import { type BmcSecrets, type BmcSettings, BOOT_MODES, type BootMode } from './machine.entity.js';

// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is refused
const CONTROL = /[\u0000-\u001f\u007f]/;
const noControl = (max: number, min = 1) =>
  z
    .string()
    .min(min, min > 1 ? `must be at least ${min} characters` : 'must not be empty')
    .max(max)
    .refine((v) => !CONTROL.test(v), 'must not hold control characters');

/** A BMC user name: printable, and never read as an option by ipmitool (no leading `-`). */
const username = noControl(64).refine((v) => !v.startsWith('-'), 'must not start with "-"');
/** `null` removes a stored password; absent keeps it (GET never shows it, so a GET–edit–PUT keeps it). */
const password = noControl(256).nullish();

const httpUrl = z
  .string()
  .max(512)
  .refine((v) => {
    try {
      const u = new URL(v);
      return (
        (u.protocol === 'https:' || u.protocol === 'http:') && !u.username && !u.password && !CONTROL.test(v)
      );
    } catch {
      return false;
    }
  }, 'must be an http:// or https:// URL without credentials in it');

/** `host`, `host:port`, `[v6]`, `[v6]:port`: what ipmitool's `-H`/`-p` take. */
const ipmiAddress = z
  .string()
  .max(255)
  .refine((v) => parseIpmiAddress(v) !== null, 'must be a host name or IP address, optionally with :port');

const tag = z
  .string()
  .regex(/^[a-z0-9][a-z0-9._-]{0,31}$/i, 'tags are 1–32 letters, digits, . _ - (e.g. rack12)')
  .transform((t) => t.toLowerCase());

const bmcInput = z.discriminatedUnion('driver', [
  z
    .object({
      driver: z.literal('redfish'),
      address: httpUrl,
      username,
      password,
      systemId: z
        .string()
        .regex(/^[A-Za-z0-9._-]{1,128}$/, 'must be a Redfish member id (letters, digits, . _ -)')
        .nullish(),
      verifyTls: z.boolean().default(true),
      auth: z.enum(['session', 'basic']).default('session'),
    })
    .strict(),
  z
    .object({
      driver: z.literal('ipmi'),
      address: ipmiAddress,
      username,
      password,
      cipherSuite: z.number().int().min(0).max(17).default(3),
    })
    .strict(),
  z
    .object({
      driver: z.literal('webhook'),
      address: httpUrl,
      secret: noControl(256, 16).nullish(),
      verifyTls: z.boolean().default(true),
    })
    .strict(),
  z.object({ driver: z.literal('manual') }).strict(),
]);

/** The body of `PUT /api/v1/machines/:name`. */
export const machineInput = z
  .object({
    mac: z.string({ required_error: 'mac is required (e.g. 52:54:00:12:34:56)' }).max(64),
    bmc: bmcInput.nullish(),
    bootMode: z.enum(BOOT_MODES).default('uefi'),
    // Profiles are data (GET /api/v1/profiles): the name is checked when a deployment asks for it.
    profile: z
      .string()
      .regex(/^[a-z0-9][a-z0-9-]{0,31}$/, `must be auto or a profile name (built in: ${PROFILES.join(', ')})`)
      .default('auto'),
    /** Which disk installers take on this machine (core/disks/disk-rule.ts). */
    disk: diskRule,
    tags: z.array(tag).max(32).default([]),
  })
  .strict();
export type MachineInput = z.input<typeof machineInput>;

/** A validated machine, its secrets split off: `undefined` means "keep what is stored". */
export interface ValidMachine {
  name: string;
  mac: Mac;
  bmc: BmcSettings | null;
  secrets: { password?: string | null; secret?: string | null };
  bootMode: BootMode;
  profile: string;
  disk: string | null;
  tags: string[];
}

/** Validates a machine for storage: every value checked here is safe in argv, URLs and chat. */
export function validateMachine(name: string, input: unknown): ValidMachine {
  const valid = { name: validateHostname(name, 'linux') };
  const parsed = machineInput.safeParse(input ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const where = issue.path.join('.');
    throw new ValidationError(
      where ? `${where}: ${issue.message}` : issue.message,
      undefined,
      'machine:invalid',
    );
  }
  const m = parsed.data;
  const mac = parseMac(m.mac);
  let bmc: BmcSettings | null = null;
  const secrets: ValidMachine['secrets'] = {};
  if (m.bmc) {
    const b = m.bmc;
    switch (b.driver) {
      case 'redfish':
        bmc = {
          driver: 'redfish',
          address: b.address.replace(/\/+$/, ''),
          username: b.username,
          systemId: b.systemId ?? null,
          verifyTls: b.verifyTls,
          auth: b.auth,
        };
        secrets.password = b.password;
        break;
      case 'ipmi':
        bmc = { driver: 'ipmi', address: b.address, username: b.username, cipherSuite: b.cipherSuite };
        secrets.password = b.password;
        break;
      case 'webhook':
        bmc = { driver: 'webhook', address: b.address, username: null, verifyTls: b.verifyTls };
        secrets.secret = b.secret;
        break;
      case 'manual':
        bmc = { driver: 'manual', address: null, username: null };
        break;
    }
  }
  return {
    ...valid,
    mac,
    bmc,
    secrets,
    bootMode: m.bootMode,
    profile: m.profile,
    disk: m.disk,
    tags: [...new Set(m.tags)],
  };
}

/** Merges new secrets over stored ones: `undefined` keeps, `null` removes. Null when nothing is left. */
export function mergeSecrets(stored: BmcSecrets, given: ValidMachine['secrets']): BmcSecrets | null {
  const out: BmcSecrets = { ...stored };
  for (const key of ['password', 'secret'] as const) {
    if (given[key] === null) delete out[key];
    else if (given[key] !== undefined) out[key] = given[key];
  }
  return Object.keys(out).length ? out : null;
}

/** Splits an IPMI address into host and port (623 by default), or null when it is not one. */
export function parseIpmiAddress(address: string): { host: string; port: number } | null {
  const v6 = /^\[([0-9a-f:.]+)\](?::(\d{1,5}))?$/i.exec(address);
  const plain = /^([A-Za-z0-9.-]{1,253})(?::(\d{1,5}))?$/.exec(address);
  const match = v6 ?? plain;
  if (!match) return isIP(address) === 6 ? { host: address, port: 623 } : null;
  const host = match[1]!;
  if (v6 && isIP(host) !== 6) return null;
  if (!v6 && (host.startsWith('-') || host.startsWith('.'))) return null;
  const port = match[2] ? Number(match[2]) : 623;
  if (port < 1 || port > 65535) return null;
  return { host, port };
}

/** For messages: a name as typed, made printable. */
export function shownName(name: string): string {
  return printable(name.slice(0, 63));
}

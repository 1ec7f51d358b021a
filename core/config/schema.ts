import { z } from 'zod';

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'], { message: 'must be true or false' })
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

const port = z.coerce.number().int().min(0, 'must be a port number').max(65535, 'must be a port number');
const minutes = z.coerce.number().positive('must be a positive number of minutes');
const csv = z.string().transform((v) =>
  v
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean),
);
const url = (protocols: string[]) =>
  z.string().refine(
    (v) => {
      try {
        return protocols.includes(new URL(v).protocol);
      } catch {
        return false;
      }
    },
    `must be a ${protocols.map((p) => p.replace(':', '://')).join(' or ')} URL`,
  );

// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what this refuses
const noControl = (v: string) => !/[\u0000-\u001f\u007f]/.test(v);
const locale = z.string().regex(/^[a-z]{2,3}(?:-[A-Za-z0-9]{2,8})*$/, 'must be a locale name like de-DE');

/**
 * Every environment variable Octofleet reads. Names and defaults are part of the external contract
 * (README "Configuration"); `.env.example` documents each one.
 */
export const configSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /**
   * Where the full log goes when `npm start` runs in a terminal: the screen then shows the chat and only
   * warnings and errors. Piped or NODE_ENV=production, logs stay JSON lines on stdout/stderr.
   */
  LOG_FILE: z.string().min(1).default('var/log/octofleet.log'),

  DATABASE_URL: url(['postgres:', 'postgresql:']).default('postgres://postgres@127.0.0.1:5432/octofleet'),
  REDIS_URL: url(['redis:', 'rediss:']).default('redis://127.0.0.1:6379'),
  /** Prefix of every BullMQ queue, so several installations can share one Redis. */
  QUEUE_PREFIX: z
    .string()
    .regex(/^[a-z0-9_-]+$/i, 'may hold letters, digits, _ and - only')
    .default('octofleet'),

  BOOT_HOST: z.string().min(1).default('0.0.0.0'),
  BOOT_PORT: port.default(8080),
  /** Base URL machines use to reach the boot server; defaults to this host's first LAN address. */
  PUBLIC_BOOT_URL: url(['http:', 'https:']).optional(),
  API_HOST: z.string().min(1).default('127.0.0.1'),
  API_PORT: port.default(8081),
  API_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
  /**
   * The admin listener sits behind a reverse proxy: trust its X-Forwarded-Proto (session cookies get
   * `Secure` over HTTPS) and X-Forwarded-For (sign-in attempts are limited per client address).
   */
  TRUST_PROXY: bool.default('false'),
  /** How long a dashboard sign-in lasts. */
  DASHBOARD_SESSION_HOURS: z.coerce.number().positive('must be a positive number of hours').default(12),
  /** Key for callback tokens and for encrypting secrets at rest (32+ bytes, hex or base64). */
  SECRET_KEY: z.string().min(32, 'must be at least 32 characters (e.g. `openssl rand -hex 32`)').optional(),
  /** Folder the boot server serves at /files/ (wimboot, boot.wim, install.wim, kernels), with range requests. */
  ARTIFACTS_DIR: z.string().default('var/artifacts'),
  CATALOG_PATH: z.string().default('templates/catalog.yaml'),
  /**
   * Refuse a deployment at once when a file its image needs is missing under ARTIFACTS_DIR (remote URLs
   * are left to `npm run doctor`).
   */
  IMAGE_PREFLIGHT: bool.default('true'),
  TEMPLATES_DIR: z.string().default('templates'),

  APPROVAL_TIMEOUT_MINUTES: minutes.default(60),
  ALLOW_SELF_APPROVAL: bool.default('false'),
  /** How long callbacks are still accepted after a deployment ended (late stages, retries). */
  TOKEN_GRACE_MINUTES: minutes.default(15),
  WATCHDOG_APPROVED_MINUTES: minutes.default(240),
  WATCHDOG_BOOTING_MINUTES: minutes.default(30),
  WATCHDOG_INSTALLING_MINUTES: minutes.default(90),
  WATCHDOG_CONFIGURING_MINUTES: minutes.default(60),
  /**
   * Boot-loop guard: after this many install-script serves without the installer reporting, the next
   * network boot fails the deployment and boots the machine from its disk (docs/troubleshooting.md).
   */
  BOOT_LOOP_LIMIT: z.coerce.number().int().min(1, 'must be a whole number of boots, 1 or more').default(3),
  /**
   * Digest window of a batch's thread: its machines' state changes within this many milliseconds go out
   * as one message (a failure or the last machine finishing goes out at once).
   */
  BATCH_DIGEST_MS: z.coerce.number().int().min(0).max(60_000).default(2000),

  /** Per BMC request (Redfish HTTP, one ipmitool call, a power webhook). */
  BMC_TIMEOUT_SECONDS: z.coerce.number().positive('must be a positive number of seconds').default(30),
  /** Tries of an approval's power sequence when the BMC is busy or unreachable (timeouts, 5xx, 503). */
  POWER_ATTEMPTS: z.coerce
    .number()
    .int()
    .min(1, 'must be at least 1')
    .max(20, 'must be at most 20')
    .default(5),
  /** First retry delay of the power sequence; each retry waits twice as long as the one before. */
  POWER_BACKOFF_SECONDS: z.coerce.number().positive('must be a positive number of seconds').default(5),

  DISCORD_TOKEN: z.string().min(1).optional(),
  DISCORD_APPLICATION_ID: z
    .string()
    .regex(/^\d{17,20}$/, 'must be a Discord snowflake')
    .optional(),
  DISCORD_GUILD_ID: z
    .string()
    .regex(/^\d{17,20}$/, 'must be a Discord snowflake')
    .optional(),
  DISCORD_CHANNEL_ID: z
    .string()
    .regex(/^\d{17,20}$/, 'must be a Discord snowflake')
    .optional(),
  DISCORD_APPROVER_ROLE_IDS: csv.default(''),
  DISCORD_API_BASE: url(['http:', 'https:']).optional(),

  SLACK_BOT_TOKEN: z.string().startsWith('xoxb-', 'must start with xoxb-').optional(),
  SLACK_SIGNING_SECRET: z.string().min(1).optional(),
  SLACK_APP_TOKEN: z.string().startsWith('xapp-', 'must start with xapp-').optional(),
  SLACK_API_URL: url(['http:', 'https:']).optional(),
  SLACK_CHANNEL_ID: z.string().optional(),
  SLACK_APPROVER_USER_IDS: csv.default(''),
  SLACK_APPROVER_USERGROUP_ID: z.string().optional(),
  /** HTTP mode: 0 mounts /slack/events on the admin listener; another port gives Slack its own listener. */
  SLACK_PORT: port.default(0),

  /** Shell adapter (the default without chat credentials): who the local operator is. */
  SHELL_USER: z.string().default('operator'),

  WINDOWS_ADMIN_PASSWORD: z
    .string()
    .min(8, 'must be at least 8 characters')
    .max(127, 'must be at most 127 characters')
    .refine(noControl, 'must not contain control characters')
    .refine(
      (v) => [/[A-Z]/, /[a-z]/, /\d/, /[^A-Za-z0-9]/].filter((r) => r.test(v)).length >= 3,
      'must meet Windows complexity: three of upper case, lower case, digits, symbols',
    )
    .optional(),
  /** A Windows time zone ID (`tzutil /l`). */
  WINDOWS_TIMEZONE: z
    .string()
    .regex(/^[A-Za-z0-9 .+()_-]{1,64}$/, 'must be a Windows time zone ID (tzutil /l)')
    .default('W. Europe Standard Time'),
  WINDOWS_LOCALE: locale.default('de-DE'),
  WINDOWS_UI_LANGUAGE: locale.optional(),
  WINDOWS_DOMAIN: z
    .string()
    .regex(
      /^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/,
      'must be a DNS (corp.example.com) or NetBIOS (CORP) domain name',
    )
    .optional(),
  WINDOWS_DOMAIN_OU: z
    .string()
    .max(1024)
    .regex(
      /^(?:OU|CN|DC)=[^,=+<>#;"\\\r\n]+(?:,(?:OU|CN|DC)=[^,=+<>#;"\\\r\n]+)*$/i,
      'must be a distinguished name like OU=Servers,DC=corp,DC=example,DC=com',
    )
    .optional(),
  WINDOWS_JOIN_USER: z
    .string()
    .regex(
      /^(?:[A-Za-z0-9][A-Za-z0-9.-]{0,14}\\)?[A-Za-z0-9._-]{1,104}(?:@[A-Za-z0-9.-]{1,253})?$/,
      'must be user, DOMAIN\\user or user@domain',
    )
    .optional(),
  WINDOWS_JOIN_PASSWORD: z
    .string()
    .min(1)
    .refine(noControl, 'must not contain control characters')
    .optional(),
  /** Agent installer (.msi, .ps1 or .exe) run at first boot. */
  WINDOWS_AGENT_URL: url(['http:', 'https:'])
    .refine(
      (v) => !/[&|<>^%"'!\s]/.test(v),
      'must not contain & | < > ^ % " \' ! or spaces (SetupComplete.cmd cannot carry them)',
    )
    .optional(),
  /**
   * Silent switch of an .exe agent installer (`/S` for NSIS, `/quiet /norestart` for WiX bundles, …);
   * required with an .exe agent, which would otherwise wait for a click nobody makes.
   */
  WINDOWS_AGENT_ARGS: z
    .string()
    .max(200)
    .regex(/^[A-Za-z0-9 _.:/=+,-]*$/, 'may hold letters, digits, spaces and _ . : / = + , - only')
    .optional(),

  LINUX_USERNAME: z
    .string()
    .regex(/^[a-z_][a-z0-9_-]{0,31}$/, 'must be a Linux user name (lower-case letters, digits, _ and -)')
    .refine((v) => v !== 'root', 'must not be root')
    .default('octofleet'),
  /** One OpenSSH public key per line. */
  LINUX_SSH_AUTHORIZED_KEYS: z
    .string()
    .refine(
      (v) =>
        v
          .split('\n')
          .map((l) => l.trim())
          .filter(Boolean)
          .every((l) =>
            /^(ssh|ecdsa-sha2|sk-)[A-Za-z0-9@.-]* [A-Za-z0-9+/=]+( [\x21-\x7e ]{0,200})?$/.test(l),
          ),
      'must hold one OpenSSH public key per line (type, base64 key, optional comment)',
    )
    .default(''),
  LINUX_LOCALE: z
    .string()
    .regex(/^[A-Za-z]{2,3}(_[A-Z]{2})?(\.[A-Za-z0-9-]+)?(@[a-z]+)?$/, 'must be a locale like de_DE.UTF-8')
    .default('de_DE.UTF-8'),
  LINUX_KEYBOARD: z
    .string()
    .regex(/^[a-z]{2,8}([(-][a-z0-9_]+\)?)?$/, 'must be a keyboard layout like de')
    .default('de'),
  LINUX_TIMEZONE: z
    .string()
    .regex(/^[A-Za-z0-9_+-]+(\/[A-Za-z0-9_+-]+)*$/, 'must be a time zone like Europe/Berlin')
    .default('Europe/Berlin'),
  LINUX_STORAGE_LAYOUT: z.enum(['lvm', 'direct']).default('lvm'),
  /**
   * The serial console installers and the installed system use (`console=` after `---`, so it is kept
   * in the installed GRUB): `ttyS0` on most VMs, `ttyS1` on Dell iDRAC, HPE iLO and Supermicro SOL.
   */
  LINUX_SERIAL_CONSOLE: z
    .string()
    .regex(/^ttyS[0-9]{1,2}(,[0-9]{4,6}(n8)?)?$/, 'must look like ttyS1 or ttyS1,115200n8')
    .default('ttyS0,115200n8'),

  PXE_MODE: z.enum(['proxy', 'full']).default('proxy'),
  PXE_INTERFACE: z.string().optional(),
  PXE_SUBNET: z.string().optional(),
  PXE_NETMASK: z.string().default('255.255.255.0'),
  PXE_RANGE_START: z.string().optional(),
  PXE_RANGE_END: z.string().optional(),
  PXE_ROUTER: z.string().optional(),
  PXE_DNS: z.string().optional(),
  PXE_SERVER_ADDRESS: z.string().optional(),
  PXE_TFTP_ROOT: z.string().default('/var/lib/octofleet/tftp'),
  /**
   * What x86-64 UEFI firmware loads over TFTP: `ipxe.efi`, `snponly.efi`, `shimx64.efi` (UEFI Secure Boot
   * chain: Microsoft-signed shim → signed GRUB → GET /grub/:mac), or the file name of a signed iPXE
   * chain the operator placed in PXE_TFTP_ROOT (ipxe.org's signed shim + iPXE: docs/windows.md).
   * snponly.efi, the default, drives only the NIC the firmware booted from (through its SNP driver);
   * ipxe.efi brings drivers for every NIC it knows, so on a multi-port server `net0` may not be the
   * booting port.
   */
  PXE_UEFI_BINARY: z
    .string()
    .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}\.efi$/, 'must be a file name in PXE_TFTP_ROOT ending in .efi')
    .default('snponly.efi'),
  /** Signed network GRUB placed as grubx64.efi when PXE_UEFI_BINARY=shimx64.efi; GRUB 2.12+ (http). */
  PXE_GRUB_EFI: z.string().default('/usr/lib/grub/x86_64-efi-signed/grubnetx64.efi.signed'),
});

export type RawConfig = z.infer<typeof configSchema>;

/** Variables whose values must never be printed. */
export const SECRET_KEYS = [
  'API_TOKEN',
  'SECRET_KEY',
  'DISCORD_TOKEN',
  'SLACK_BOT_TOKEN',
  'SLACK_SIGNING_SECRET',
  'SLACK_APP_TOKEN',
  'WINDOWS_ADMIN_PASSWORD',
  'WINDOWS_JOIN_PASSWORD',
] as const satisfies readonly (keyof RawConfig)[];

import { networkInterfaces } from 'node:os';
import { configSchema, type RawConfig, SECRET_KEYS } from './schema.js';

/** Configuration after validation, with the values derived from it. */
export interface Config extends RawConfig {
  /** PUBLIC_BOOT_URL without a trailing slash, or the derived default. */
  publicBootUrl: string;
  /** PUBLIC_BOOT_URL was not set and `publicBootUrl` was made from this host's first LAN address. */
  publicBootUrlGuessed: boolean;
  /** Chat platforms with credentials; the shell adapter runs when this is empty. */
  chatPlatforms: ('discord' | 'slack')[];
  slackMode: 'http' | 'socket' | null;
}

/** Thrown for invalid configuration; the message is one line naming the variable. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|::1|localhost)$/;

/** Reads and validates configuration from an environment (process.env by default). */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const input: Record<string, string> = {};
  for (const key of Object.keys(configSchema.shape)) {
    const value = env[key];
    if (value !== undefined && value !== '') input[key] = value;
  }
  const parsed = configSchema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const name = String(issue.path[0] ?? 'configuration');
    throw new ConfigError(`Invalid configuration: ${name} ${issue.message}`);
  }
  const raw = parsed.data;
  const fail = (name: string, why: string): never => {
    throw new ConfigError(`Invalid configuration: ${name} ${why}`);
  };
  if (!LOOPBACK.test(raw.API_HOST) && !raw.API_TOKEN) {
    fail('API_TOKEN', `is required when API_HOST (${raw.API_HOST}) is not a loopback address`);
  }
  if (raw.SLACK_BOT_TOKEN && !raw.SLACK_SIGNING_SECRET && !raw.SLACK_APP_TOKEN) {
    fail('SLACK_SIGNING_SECRET', 'or SLACK_APP_TOKEN is required when SLACK_BOT_TOKEN is set');
  }
  if (raw.WINDOWS_DOMAIN && (!raw.WINDOWS_JOIN_USER || !raw.WINDOWS_JOIN_PASSWORD)) {
    fail('WINDOWS_JOIN_USER', 'and WINDOWS_JOIN_PASSWORD are required when WINDOWS_DOMAIN is set');
  }
  for (const name of ['WINDOWS_DOMAIN_OU', 'WINDOWS_JOIN_USER'] as const) {
    if (raw[name] && !raw.WINDOWS_DOMAIN)
      fail(name, 'is set but WINDOWS_DOMAIN is not; set the domain or remove it');
  }
  const agentPath = raw.WINDOWS_AGENT_URL ? new URL(raw.WINDOWS_AGENT_URL).pathname.toLowerCase() : '';
  if (agentPath && !/\.(msi|ps1)$/.test(agentPath) && !raw.WINDOWS_AGENT_ARGS) {
    fail(
      'WINDOWS_AGENT_ARGS',
      'is required for an .exe agent: its silent switch (e.g. /S or /quiet /norestart), or the installer waits for a click',
    );
  }
  const chatPlatforms: Config['chatPlatforms'] = [];
  if (raw.DISCORD_TOKEN) chatPlatforms.push('discord');
  if (raw.SLACK_BOT_TOKEN) chatPlatforms.push('slack');
  return {
    ...raw,
    publicBootUrl: (raw.PUBLIC_BOOT_URL ?? `http://${firstLanAddress()}:${raw.BOOT_PORT}`).replace(
      /\/+$/,
      '',
    ),
    publicBootUrlGuessed: raw.PUBLIC_BOOT_URL === undefined,
    chatPlatforms,
    slackMode: raw.SLACK_BOT_TOKEN ? (raw.SLACK_APP_TOKEN ? 'socket' : 'http') : null,
  };
}

/** The configuration with every secret replaced, safe to log. */
export function redactConfig(config: Config): Record<string, unknown> {
  const copy: Record<string, unknown> = { ...config };
  for (const key of SECRET_KEYS) if (copy[key] !== undefined) copy[key] = '[redacted]';
  for (const key of ['DATABASE_URL', 'REDIS_URL'] as const) copy[key] = redactUrl(config[key]);
  return copy;
}

/** Removes a password from a connection URL. */
export function redactUrl(value: string): string {
  try {
    const url = new URL(value);
    if (url.password) url.password = 'redacted';
    return url.toString();
  } catch {
    return value;
  }
}

function firstLanAddress(): string {
  for (const addresses of Object.values(networkInterfaces())) {
    for (const a of addresses ?? []) if (a.family === 'IPv4' && !a.internal) return a.address;
  }
  return '127.0.0.1';
}

import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import pino, { type Logger } from 'pino';
import { formatLogLine } from './terminal/log-lines.js';
import type { TerminalScreen } from './terminal/terminal-screen.js';

export type { Logger };

/**
 * Paths pino blanks in every log line. Secrets must not reach logs in the first place; this catches
 * the accidents (a config object, a request header, a token in a URL logged whole).
 */
export const REDACT_PATHS = [
  'password',
  '*.password',
  'secrets',
  '*.secrets',
  'token',
  '*.token',
  'authorization',
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-slack-signature"]',
  '*.API_TOKEN',
  '*.SECRET_KEY',
  '*.DISCORD_TOKEN',
  '*.SLACK_BOT_TOKEN',
  '*.SLACK_SIGNING_SECRET',
  '*.SLACK_APP_TOKEN',
  '*.WINDOWS_ADMIN_PASSWORD',
  '*.WINDOWS_JOIN_PASSWORD',
  // Machines and power: a machine body (bmc.password), BMC secrets, ipmitool's environment, Redfish tokens.
  '*.*.password',
  'secret',
  '*.secret',
  '*.*.secret',
  'bmcSecrets',
  '*.bmcSecrets',
  '*.IPMI_PASSWORD',
  '*["x-auth-token"]',
];

/**
 * The process logger: JSON lines on stdout, or on another stream or file descriptor (stderr when stdout
 * carries the shell chat adapter). A descriptor is written asynchronously: lines that pile up while a
 * write is in flight go out in one, which under a boot storm saves a system call per request; pino
 * flushes what is left when the process exits.
 */
export function createLogger(
  opts: {
    level?: string;
    name?: string;
    destination?: NodeJS.WritableStream | 1 | 2;
    /** Terminal mode: JSON lines go to `file`, and warnings and errors to `screen`, one short line each. */
    terminal?: { screen: TerminalScreen; file: string };
  } = {},
): Logger {
  const level = opts.level ?? 'info';
  const options = {
    level,
    name: opts.name ?? 'octofleet',
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
  };
  if (opts.terminal) {
    const { screen, file } = opts.terminal;
    mkdirSync(dirname(file), { recursive: true });
    const toScreen = { write: (line: string) => screen.print(formatLogLine(line), 'err') };
    return pino(
      options,
      pino.multistream([
        {
          level: (level === 'silent' ? 'fatal' : level) as pino.Level,
          stream: pino.destination({ dest: file, sync: false }),
        },
        { level: 'warn', stream: toScreen },
      ]),
    );
  }
  const destination = opts.destination ?? 1;
  return pino(
    options,
    typeof destination === 'number' ? pino.destination({ dest: destination, sync: false }) : destination,
  );
}

/** Replaces a deployment token in a URL path with a marker, so access logs never carry it. */
export function redactTokenInPath(path: string): string {
  return path.replace(/^\/(d|cb|r)\/[^/?]+/, '/$1/[token]');
}

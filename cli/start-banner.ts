import { readFileSync } from 'node:fs';
import { assessBootUrl, type Config } from '../core/config/index.js';

/** What `npm start` tells the operator once every role is up. */
export interface StartInfo {
  version: string;
  roles: ('bot' | 'boot-server' | 'worker')[];
  bootUrl: string;
  /** A line saying what is wrong with (or guessed about) the boot URL; null when it looks right. */
  bootUrlWarning: string | null;
  /** Admin API base and dashboard, when this process runs the boot server. */
  apiUrl: string | null;
  dashboardUrl: string | null;
  /** `shell (this terminal)`, `discord`, `slack (socket mode)`, … */
  chat: string;
  /** Where the full log goes in terminal mode; null when logs are on stdout/stderr. */
  logFile: string | null;
}

/** Octofleet's version, from package.json. */
export function octofleetVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
    version: string;
  };
  return pkg.version;
}

/** Gathers the banner's facts from the configuration and the ports actually bound. */
export function startInfo(
  config: Config,
  opts: { roles: StartInfo['roles']; apiPort?: number; logFile: string | null },
): StartInfo {
  const apiHost = /^(0\.0\.0\.0|::)$/.test(config.API_HOST) ? '127.0.0.1' : config.API_HOST;
  const admin = opts.apiPort !== undefined ? `http://${hostForUrl(apiHost)}:${opts.apiPort}` : null;
  const chat = config.chatPlatforms.length
    ? config.chatPlatforms
        .map((p) => (p === 'slack' ? `slack (${config.slackMode === 'socket' ? 'Socket Mode' : 'HTTP'})` : p))
        .join(', ')
    : 'shell (this terminal)';
  return {
    version: octofleetVersion(),
    roles: opts.roles,
    bootUrl: config.publicBootUrl,
    bootUrlWarning: assessBootUrl(config).warning,
    apiUrl: admin && `${admin}/api/v1`,
    dashboardUrl: admin && `${admin}/`,
    chat,
    logFile: opts.logFile,
  };
}

/** A few plain lines: what runs, where machines and people reach it, what to do next. */
export function startBanner(info: StartInfo): string[] {
  const lines = [
    `Octofleet ${info.version} — running ${info.roles.join(', ')}`,
    `  Boot URL   ${info.bootUrl}   (machines fetch ${info.bootUrl}/boot.ipxe)`,
  ];
  if (info.bootUrlWarning) lines.push(`  ⚠️  ${info.bootUrlWarning}`);
  if (info.apiUrl) lines.push(`  Admin API  ${info.apiUrl}`);
  if (info.dashboardUrl) lines.push(`  Dashboard  ${info.dashboardUrl}`);
  lines.push(`  Chat       ${info.chat}`);
  if (info.logFile) lines.push(`  Log        ${info.logFile} (warnings and errors also show here)`);
  if (info.roles.includes('bot') && info.chat.startsWith('shell')) {
    lines.push('Next: type /images, then /deploy mac:52:54:00:12:34:56 os:<id> — /help lists every command.');
  } else {
    lines.push('Next: type /deploy mac:… os:… in your chat channel.');
  }
  lines.push('Before the first real machine: npm run doctor');
  return lines;
}

function hostForUrl(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}

import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import pino, { type Logger } from 'pino';
import { redactSecrets } from './log-redaction.js';
import { formatLogLine } from './terminal/log-lines.js';
import type { TerminalScreen } from './terminal/terminal-screen.js';

export type { Logger };

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
    // Secrets are blanked by one pass per line (core/log-redaction.ts), not pino's per-path redact.
    formatters: { log: redactSecrets, bindings: redactSecrets },
  };
  if (opts.terminal) {
    const { screen, file } = opts.terminal;
    mkdirSync(dirname(file), { recursive: true });
    const toScreen = { write: (line: string) => screen.print(formatLogLine(line), 'err') };
    return blankingChildBindings(
      pino(
        options,
        pino.multistream([
          {
            level: (level === 'silent' ? 'fatal' : level) as pino.Level,
            stream: pino.destination({ dest: file, sync: false }),
          },
          { level: 'warn', stream: toScreen },
        ]),
      ),
    );
  }
  const destination = opts.destination ?? 1;
  return blankingChildBindings(
    pino(
      options,
      typeof destination === 'number' ? pino.destination({ dest: destination, sync: false }) : destination,
    ),
  );
}

/**
 * pino runs the `bindings` formatter for the root logger only; a child's bindings are serialised once
 * when it is made. Children are made from their parent's prototype, so wrapping the root's `child`
 * covers every descendant.
 */
function blankingChildBindings(root: Logger): Logger {
  const child = root.child;
  root.child = function (this: Logger, bindings, options) {
    return child.call(this, redactSecrets(bindings), options);
  } as Logger['child'];
  return root;
}

/** Replaces a deployment token in a URL path with a marker, so access logs never carry it. */
export function redactTokenInPath(path: string): string {
  return path.replace(/^\/(d|cb|r)\/[^/?]+/, '/$1/[token]');
}

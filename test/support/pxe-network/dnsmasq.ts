import type { PxeLab } from './lab.js';

/** A dnsmasq running in the foreground inside a lab namespace, logging to a buffer. */
export interface DnsmasqProcess {
  /** Everything dnsmasq logged so far. */
  log(): string;
  /** Log lines matching `pattern`, each with `Date.now()` at arrival (dnsmasq's own lines have no time). */
  lines(pattern: RegExp): { at: number; line: string }[];
  /** Resolves with the first match in the log; rejects with the log's tail on timeout or exit. */
  waitForLog(pattern: RegExp, timeoutMs: number): Promise<RegExpMatchArray>;
}

/**
 * Starts `dnsmasq --keep-in-foreground --log-facility=- --conf-file=<confFile>` in namespace `ns` and
 * resolves once its sockets are bound (the log line `readyPattern`). The lab kills it on destroy.
 */
export async function startDnsmasq(
  lab: PxeLab,
  ns: string,
  confFile: string,
  readyPattern: RegExp,
): Promise<DnsmasqProcess> {
  const child = lab.spawnIn(ns, 'dnsmasq', [
    '--keep-in-foreground',
    '--log-facility=-',
    `--conf-file=${confFile}`,
  ]);
  let text = '';
  let partial = '';
  const entries: { at: number; line: string }[] = [];
  const waiters = new Set<() => void>();
  const onData = (chunk: Buffer) => {
    text += chunk.toString();
    const pieces = (partial + chunk.toString()).split('\n');
    partial = pieces.pop() ?? '';
    for (const line of pieces) entries.push({ at: Date.now(), line });
    for (const check of waiters) check();
  };
  child.stdout?.on('data', onData);
  child.stderr?.on('data', onData);
  let exited = false;
  child.once('exit', () => {
    exited = true;
    for (const check of waiters) check();
  });

  const dnsmasq: DnsmasqProcess = {
    log: () => text,
    lines: (pattern) => entries.filter(({ line }) => pattern.test(line)),
    waitForLog: (pattern, timeoutMs) => waitFor(pattern, timeoutMs),
  };

  function waitFor(pattern: RegExp, timeoutMs: number) {
    return new Promise<RegExpMatchArray>((resolve, reject) => {
      const timer = setTimeout(
        () => finish(`no dnsmasq log line ${pattern} within ${timeoutMs} ms`),
        timeoutMs,
      );
      const finish = (failure?: string, match?: RegExpMatchArray) => {
        waiters.delete(check);
        clearTimeout(timer);
        if (match) resolve(match);
        else reject(new Error(`${failure}; dnsmasq log tail:\n${text.split('\n').slice(-20).join('\n')}`));
      };
      const check = () => {
        const match = text.match(pattern);
        if (match) finish(undefined, match);
        else if (exited) finish(`dnsmasq exited before logging ${pattern}`);
      };
      waiters.add(check);
      check();
    });
  }

  await dnsmasq.waitForLog(readyPattern, 10_000);
  return dnsmasq;
}

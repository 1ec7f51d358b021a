import { readdir, readFile } from 'node:fs/promises';

/**
 * CPU time (user + system, seconds) used so far by every process whose command name is `comm`
 * (`postgres`, `redis-server`): the services the app under test leans on share this machine's cores,
 * so a storm's figures read differently once their share is known. Linux /proc only.
 */
export async function cpuSecondsOfCommand(comm: string): Promise<number> {
  const ticksPerSecond = 100;
  let ticks = 0;
  for (const name of await readdir('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const stat = await readFile(`/proc/${name}/stat`, 'utf8').catch(() => '');
    const open = stat.indexOf('(');
    const close = stat.lastIndexOf(')');
    if (open < 0 || stat.slice(open + 1, close) !== comm) continue;
    const fields = stat.slice(close + 2).split(' ');
    // utime and stime are fields 14 and 15 of stat(5); `fields` starts at field 3.
    ticks += Number(fields[11]) + Number(fields[12]);
  }
  return ticks / ticksPerSecond;
}

/** CPU seconds of this process (the load generator), user + system. */
export function ownCpuSeconds(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1e6;
}

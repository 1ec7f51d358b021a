import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { PxeLab } from './lab.js';

const execFileAsync = promisify(execFile);
const ROOT = join(import.meta.dirname, '..', '..', '..');

/**
 * Runs `npm run pxe:config`'s script (cli/pxe-config.ts) as an operator would, with `--tftp`, writing
 * into the lab's folder: the configuration, its pid and lease files, and the TFTP root. `env` is the
 * whole environment it sees besides PATH, so a developer's .env cannot leak PXE settings in.
 */
export async function runPxeConfig(lab: PxeLab, env: Record<string, string>) {
  const conf = join(lab.dir, 'pxe-dnsmasq.conf');
  const tftpRoot = join(lab.dir, 'tftp');
  await execFileAsync(
    join(ROOT, 'node_modules', '.bin', 'tsx'),
    [
      'cli/pxe-config.ts',
      ...['--out', conf, '--tftp'],
      ...['--pid-file', join(lab.dir, 'pxe-dnsmasq.pid')],
      ...['--lease-file', join(lab.dir, 'pxe-dnsmasq.leases')],
    ],
    // DOTENV_CONFIG_PATH: a developer's .env must not add settings either.
    {
      cwd: ROOT,
      env: { PATH: process.env.PATH, DOTENV_CONFIG_PATH: '/dev/null', PXE_TFTP_ROOT: tftpRoot, ...env },
    },
  );
  return { conf, tftpRoot };
}

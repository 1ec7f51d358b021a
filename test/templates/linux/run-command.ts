import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface CommandResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs argv without a shell (as subiquity and cloud-init run a list command); never rejects. */
export function runArgv(argv: string[], options: { env?: NodeJS.ProcessEnv; cwd?: string } = {}) {
  return new Promise<CommandResult>((resolve) => {
    const [file, ...args] = argv;
    execFile(
      file!,
      args,
      { env: options.env ?? process.env, cwd: options.cwd, timeout: 60_000 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 127) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

/** The busybox of Debian's busybox-static package: the shell and wget of the Debian installer. */
export const BUSYBOX = '/bin/busybox';

/** Fails with the package to install when a tool the installers use is missing here. */
export function requireTool(path: string, pkg: string): void {
  if (!existsSync(path))
    throw new Error(`${path} is missing: install the ${pkg} package (.ci/install-packages.sh)`);
}

/** A scratch directory whose `wget` is busybox's, as in d-i (busybox picks the applet by the name it is called by). */
export async function busyboxWget(): Promise<{ path: string; dispose(): Promise<void> }> {
  requireTool(BUSYBOX, 'busybox-static');
  const dir = await mkdtemp(join(tmpdir(), 'octofleet-bb-'));
  await symlink(BUSYBOX, join(dir, 'wget'));
  return {
    path: `${dir}:${process.env.PATH ?? '/usr/bin:/bin'}`,
    dispose: () => rm(dir, { recursive: true, force: true }),
  };
}

import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isInstalled } from '../../support/tools/suite-needs.js';

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

/** The wget/curl stand-in for machines without them (see its header). */
const STAND_IN = join(import.meta.dirname, '../../support/tools/http-client-stand-in.mjs');

/** A shell the rendered commands run with, and the PATH that gives it its `wget` and `curl`. */
export interface TestShell {
  /** For test names and assertion messages. */
  name: string;
  /** The shell, ready for `[...shell.argv, '-c', script]` or `[...shell.argv, file]`. */
  argv: string[];
  /** PATH whose first directory holds this shell's `wget` (and `curl` where the machine has none). */
  PATH: string;
}

/**
 * The shells the installer commands are tested with: `/bin/sh` (dash on Debian, present on every
 * machine, with the wget stand-in) always, so the injection tests can never be skipped; and busybox sh
 * with busybox wget, which is what d-i runs, wherever busybox-static is installed. Synchronous, so a
 * file can `describe.each` over them; call `disposeTestShells` in `afterAll`.
 */
export function testShells(): TestShell[] {
  const shells: TestShell[] = [{ name: '/bin/sh', argv: ['/bin/sh'], PATH: scratchPath(STAND_IN) }];
  // busybox picks the applet by the name it is called by, so a `wget` link to it is busybox wget.
  if (isInstalled('busybox-static'))
    shells.push({ name: 'busybox sh', argv: [BUSYBOX, 'sh'], PATH: scratchPath(BUSYBOX) });
  return shells;
}

/** PATH for commands that call `curl`: the machine's curl, or the stand-in where curl is not installed. */
export function curlPath(): string {
  return scratchPath(STAND_IN);
}

const scratchDirs: string[] = [];

/** A scratch directory holding `wget` (and `curl` where the machine has none), ahead of PATH. */
function scratchPath(wget: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'octofleet-sh-'));
  scratchDirs.push(dir);
  symlinkSync(wget, join(dir, 'wget'));
  if (!isInstalled('curl')) symlinkSync(STAND_IN, join(dir, 'curl'));
  return `${dir}:${process.env.PATH ?? '/usr/bin:/bin'}`;
}

/** Removes the scratch directories of `testShells` and `curlPath`. */
export function disposeTestShells(): void {
  for (const dir of scratchDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
}

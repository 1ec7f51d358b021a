import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, open, readdir, readFile, rename, rm, unlink } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);

/**
 * Where built PXE boot artifacts are kept between test runs (gitignored).
 * @defaultValue `<project>/.cache/pxe`, or `$OCTOFLEET_PXE_CACHE` when set
 */
export const PXE_CACHE_DIR =
  process.env.OCTOFLEET_PXE_CACHE ?? resolve(fileURLToPath(new URL('../../../.cache/pxe', import.meta.url)));

/** How long a caller waits for another process that holds the build lock (the d-i package is 133 MB). */
const LOCK_WAIT_MS = 15 * 60_000;
const LOCK_POLL_MS = 300;

const inProcess = new Map<string, Promise<string>>();

/** Scratch space handed to a build: `outDir` becomes the cache entry, `workDir` is thrown away. */
export interface BuildDirs {
  outDir: string;
  workDir: string;
}

/**
 * Returns `<cacheDir>/<name>`, building it first when any of `files` is missing there.
 * The build writes into a temporary directory that is renamed into place only when complete, and a
 * lock file (holding the builder's pid, taken over when that process is gone) keeps concurrent test
 * workers from downloading the same packages twice.
 */
export function cachedBuild(
  name: string,
  files: string[],
  build: (dirs: BuildDirs) => Promise<void>,
  cacheDir = PXE_CACHE_DIR,
) {
  const target = join(cacheDir, name);
  let pending = inProcess.get(target);
  if (!pending) {
    pending = buildOnce(target, files, build);
    inProcess.set(target, pending);
    // A failed build may be retried by a later caller.
    pending.catch(() => inProcess.delete(target));
  }
  return pending;
}

async function buildOnce(target: string, files: string[], build: (dirs: BuildDirs) => Promise<void>) {
  const complete = () => files.every((file) => existsSync(join(target, file)));
  if (complete()) return target;
  const cacheDir = dirname(target);
  const name = basename(target);
  await mkdir(cacheDir, { recursive: true });
  const release = await acquireLock(`${target}.lock`, complete);
  if (!release) return target; // another process finished the build while we waited
  const outDir = `${target}.tmp-${process.pid}`;
  let workDir: string | undefined;
  try {
    if (complete()) return target;
    // Holding the lock, anything else of this name's is left over from a builder that crashed.
    for (const entry of await readdir(cacheDir)) {
      if (entry.startsWith(`${name}.tmp-`) || entry.startsWith(`.work-${name}-`)) {
        await rm(join(cacheDir, entry), { recursive: true, force: true });
      }
    }
    workDir = await mkdtemp(join(cacheDir, `.work-${name}-`));
    await mkdir(outDir);
    await build({ outDir, workDir });
    const absent = files.filter((file) => !existsSync(join(outDir, file)));
    if (absent.length > 0) throw new Error(`building ${name} did not produce ${absent.join(', ')}`);
    await rm(target, { recursive: true, force: true });
    await rename(outDir, target);
    return target;
  } finally {
    await rm(outDir, { recursive: true, force: true });
    if (workDir) await rm(workDir, { recursive: true, force: true });
    await release();
  }
}

/** Takes the lock, or returns undefined when `done()` became true while waiting for its holder. */
async function acquireLock(path: string, done: () => boolean) {
  const deadline = Date.now() + LOCK_WAIT_MS;
  for (;;) {
    try {
      const handle = await open(path, 'wx');
      await handle.writeFile(String(process.pid));
      await handle.close();
      return () => unlink(path).catch(() => undefined);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    if (done()) return undefined;
    // An empty file means its holder is still writing its pid: keep waiting.
    const holder = Number.parseInt(await readFile(path, 'utf8').catch(() => ''), 10);
    if (Number.isInteger(holder) && !processAlive(holder)) {
      await unlink(path).catch(() => undefined); // the holder crashed mid-build
      continue;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${path} (held by pid ${holder})`);
    await delay(LOCK_POLL_MS);
  }
}

function processAlive(pid: number) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Runs a command, failing with its stderr in the message. */
export async function sh(file: string, args: string[], cwd?: string) {
  try {
    const { stdout } = await run(file, args, { cwd, maxBuffer: 64 * 1024 * 1024 });
    return stdout;
  } catch (error) {
    const { stderr } = error as { stderr?: string };
    throw new Error(`${file} ${args.join(' ')} failed: ${stderr?.trim() || (error as Error).message}`);
  }
}

let aptUpdated = false;

/** Runs an apt query or download; on failure refreshes the package lists once (stale CI images) and retries. */
async function withAptRetry<T>(action: () => Promise<T>) {
  try {
    return await action();
  } catch (error) {
    if (aptUpdated || process.getuid?.() !== 0) throw error;
    aptUpdated = true;
    await sh('apt-get', ['update', '-qq']);
    return action();
  }
}

/** Resolves a Debian metapackage (`linux-image-amd64`) to the package it currently depends on. */
export function aptDependency(metapackage: string, prefix: string) {
  return withAptRetry(async () => {
    const out = await sh('apt-cache', ['depends', metapackage]);
    const match = out.match(new RegExp(`Depends: (${prefix}[^\\s<>]*)`));
    if (!match?.[1]) throw new Error(`apt-cache depends ${metapackage} names no ${prefix}* package`);
    return match[1];
  });
}

/** Downloads a Debian package with `apt-get download` into `dir` and returns the .deb path. */
export function aptDownload(pkg: string, dir: string) {
  return withAptRetry(async () => {
    await sh('apt-get', ['download', '-q', pkg], dir);
    const deb = (await readdir(dir)).find((file) => file.startsWith(`${pkg}_`) && file.endsWith('.deb'));
    if (!deb) throw new Error(`apt-get download ${pkg} left no .deb in ${dir}`);
    return join(dir, deb);
  });
}

import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type BuildDirs, cachedBuild } from './artifact-cache.js';

describe('cachedBuild', () => {
  let cacheDir: string;
  let builds: number;
  const build = async ({ outDir }: BuildDirs) => {
    builds += 1;
    await writeFile(join(outDir, 'artifact'), `build ${builds}`);
  };

  beforeEach(async () => {
    cacheDir = await mkdtemp(join(tmpdir(), 'octofleet-cache-test-'));
    builds = 0;
  });
  afterEach(() => rm(cacheDir, { recursive: true, force: true }));

  it('builds once and answers later calls from the cache', async () => {
    const [first, second] = await Promise.all([
      cachedBuild('thing', ['artifact'], build, cacheDir),
      cachedBuild('thing', ['artifact'], build, cacheDir),
    ]);
    const third = await cachedBuild('thing', ['artifact'], build, cacheDir);

    expect(builds).toBe(1);
    expect(new Set([first, second, third])).toEqual(new Set([join(cacheDir, 'thing')]));
    expect(await readFile(join(first, 'artifact'), 'utf8')).toBe('build 1');
    expect((await readdir(cacheDir)).sort()).toEqual(['thing']);
  });

  it('takes over the lock of a crashed builder and removes what it left', async () => {
    const deadPid = spawnSync('true').pid;
    await writeFile(join(cacheDir, 'thing.lock'), String(deadPid));
    await mkdir(join(cacheDir, `thing.tmp-${deadPid}`));
    await mkdir(join(cacheDir, '.work-thing-abc123'));

    const dir = await cachedBuild('thing', ['artifact'], build, cacheDir);

    expect(await readFile(join(dir, 'artifact'), 'utf8')).toBe('build 1');
    expect((await readdir(cacheDir)).sort()).toEqual(['thing']);
  });

  it('waits for a live builder in another process instead of building again', async () => {
    // Our own pid stands in for another live test worker holding the lock.
    await writeFile(join(cacheDir, 'thing.lock'), String(process.pid));
    const pending = cachedBuild('thing', ['artifact'], build, cacheDir);
    await mkdir(join(cacheDir, 'thing'));
    await writeFile(join(cacheDir, 'thing', 'artifact'), 'built elsewhere');
    await unlink(join(cacheDir, 'thing.lock'));

    const dir = await pending;

    expect(builds).toBe(0);
    expect(await readFile(join(dir, 'artifact'), 'utf8')).toBe('built elsewhere');
  });

  it('leaves nothing behind when a build fails, so the next call builds again', async () => {
    const failing = () => Promise.reject(new Error('mirror unreachable'));
    await expect(cachedBuild('thing', ['artifact'], failing, cacheDir)).rejects.toThrow('mirror unreachable');
    expect(await readdir(cacheDir)).toEqual([]);

    const dir = await cachedBuild('thing', ['artifact'], build, cacheDir);
    expect(existsSync(join(dir, 'artifact'))).toBe(true);
  });

  it('fails when the build does not produce every promised file', async () => {
    await expect(cachedBuild('thing', ['artifact', 'other'], build, cacheDir)).rejects.toThrow(
      'building thing did not produce other',
    );
    expect(await readdir(cacheDir)).toEqual([]);
  });
});

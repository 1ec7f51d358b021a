import { execFile } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ROOT } from './child-process.js';

/** bench/results/latest.json: the last result of each benchmark and the machine it ran on. */
export type Results = Record<string, unknown>;

export async function loadResults(dir: string): Promise<Results> {
  try {
    return JSON.parse(await readFile(join(dir, 'latest.json'), 'utf8')) as Results;
  } catch {
    return {};
  }
}

/** Writes the results, formatted as the repository's Biome check wants the committed file. */
export async function saveResults(dir: string, results: Results): Promise<void> {
  const path = join(dir, 'latest.json');
  await writeFile(path, `${JSON.stringify(results, null, 2)}\n`);
  await promisify(execFile)(join(ROOT, 'node_modules/.bin/biome'), ['format', '--write', path], {
    cwd: ROOT,
  }).catch(() => {
    // Without Biome (a production install) the file is still valid JSON.
  });
}

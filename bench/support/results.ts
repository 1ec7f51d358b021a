import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** bench/results/latest.json: the last result of each benchmark and the machine it ran on. */
export type Results = Record<string, unknown>;

export async function loadResults(dir: string): Promise<Results> {
  try {
    return JSON.parse(await readFile(join(dir, 'latest.json'), 'utf8')) as Results;
  } catch {
    return {};
  }
}

export async function saveResults(dir: string, results: Results): Promise<void> {
  await writeFile(join(dir, 'latest.json'), `${JSON.stringify(results, null, 2)}\n`);
}

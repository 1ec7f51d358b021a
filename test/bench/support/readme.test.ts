import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { writeReadmeBlock } from '../../../bench/support/readme.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'bench-readme-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const README = '# Project\n\nIntro.\n\n## Benchmark results\n\nNotes written by hand.\n\n## Later\n\nKept.\n';

describe('README benchmark block', () => {
  it('adds the block at the end of its section and replaces only the block afterwards', async () => {
    const path = join(dir, 'README.md');
    await writeFile(path, README);
    await writeReadmeBlock(path, '| a |\n| --- |\n| 1 |');
    const first = await readFile(path, 'utf8');
    expect(first).toContain('Notes written by hand.\n\n<!-- bench:start');
    expect(first).toContain('| 1 |\n<!-- bench:end -->\n\n## Later\n\nKept.\n');

    await writeReadmeBlock(path, 'second run');
    const second = await readFile(path, 'utf8');
    expect(second).not.toContain('| 1 |');
    expect(second.replace(/<!-- bench:start[\s\S]*bench:end -->/, 'BLOCK')).toBe(
      first.replace(/<!-- bench:start[\s\S]*bench:end -->/, 'BLOCK'),
    );
  });

  it('refuses a README without the section', async () => {
    const path = join(dir, 'README.md');
    await writeFile(path, '# Project\n');
    await expect(writeReadmeBlock(path, 'x')).rejects.toThrow(/Benchmark results/);
    expect(await readFile(path, 'utf8')).toBe('# Project\n');
  });
});

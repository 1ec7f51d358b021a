import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { OsImage } from '../../../core/images/os-image.entity.js';
import type { TemplateEngine } from '../../../core/render/template-engine.js';
import { CASES, goldenPath } from './windows-cases.js';
import {
  catalogImages,
  machineContexts,
  renderWindows,
  WINDOWS_FILES,
  type WindowsFile,
  windowsEngine,
} from './windows-render.js';

/** `UPDATE_GOLDEN=1 npx vitest run test/templates/windows` rewrites the golden files; review the diff. */
const UPDATE = process.env.UPDATE_GOLDEN === '1';
const GOLDEN_DIR = join(import.meta.dirname, 'golden');
const FILES = Object.keys(WINDOWS_FILES) as WindowsFile[];

async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true }).catch(() => []);
  return entries
    .filter((e) => e.isFile() && !e.name.startsWith('.'))
    .map((e) => relative(GOLDEN_DIR, join(e.parentPath, e.name)))
    .sort();
}

describe('Windows templates render like their golden files', () => {
  let images: Map<string, OsImage>;
  let engine: TemplateEngine;
  /** Golden path → first case that rendered it, with its content. */
  const seen = new Map<string, { by: string; content: string }>();

  beforeAll(async () => {
    images = await catalogImages();
    engine = windowsEngine();
  });

  it.each(CASES)('$name', async (c) => {
    const out = renderWindows(engine, machineContexts(engine, images, c));
    for (const file of FILES) {
      const path = goldenPath(file, c);
      const earlier = seen.get(path);
      if (earlier) {
        expect(
          out[file],
          `${path} is shared with ${earlier.by} but renders differently: add the difference to GOLDEN_KEY`,
        ).toBe(earlier.content);
      }
      seen.set(path, { by: c.name, content: out[file] });
      const full = join(GOLDEN_DIR, path);
      if (UPDATE) {
        await mkdir(dirname(full), { recursive: true });
        await writeFile(full, out[file]);
      } else {
        const golden = await readFile(full, 'utf8').catch(() => {
          throw new Error(`golden file ${path} is missing: run with UPDATE_GOLDEN=1 and review it`);
        });
        expect(
          out[file],
          `${c.name}: ${file} differs from golden/${path} (UPDATE_GOLDEN=1 rewrites it)`,
        ).toBe(golden);
      }
    }
  });

  it('keeps no golden file that no case renders', async () => {
    const expected = new Set(CASES.flatMap((c) => FILES.map((file) => goldenPath(file, c))));
    const stale = (await listFiles(GOLDEN_DIR)).filter((path) => !expected.has(path));
    if (UPDATE) for (const path of stale) await rm(join(GOLDEN_DIR, path));
    else expect(stale, 'golden files no case renders (UPDATE_GOLDEN=1 removes them)').toEqual([]);
  });
});

import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { parseCatalog } from '../../core/images/catalog-file.js';
import { imageFiles } from '../../core/images/image-files.js';

let dir: string | undefined;

/** Files the tests' own images use (TINY_IMAGE of the boot-server fixture, and the like). */
const TEST_FILES = ['tiny/vmlinuz', 'tiny/initrd.gz'];

/**
 * An ARTIFACTS_DIR (made once per test process) holding an empty file at every local location of
 * templates/catalog.yaml, the VirtIO drivers of every Windows image and the test images' files: the
 * boot server's preflight finds everything, so only tests about a missing file see one missing.
 */
export function testArtifactsDir(): string {
  if (dir) return dir;
  const root = mkdtempSync(join(tmpdir(), 'octofleet-test-artifacts-'));
  const paths = new Set(TEST_FILES);
  for (const image of parseCatalog(readFileSync('templates/catalog.yaml', 'utf8'))) {
    // Every file the preflight asks for (core/images/image-files.ts), the cmdline's ISO included.
    for (const file of imageFiles(image.boot, root)) if (file.path) paths.add(relative(root, file.path));
    if (image.family === 'windows') {
      for (const driver of ['viostor', 'vioscsi', 'netkvm'])
        for (const ext of ['inf', 'sys', 'cat'])
          paths.add(`windows/${image.id}/drivers/kvm/${driver}.${ext}`);
    }
  }
  for (const path of paths) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), '');
  }
  dir = root;
  return root;
}

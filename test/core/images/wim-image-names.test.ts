import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readWimImageNames, WimFormatError } from '../../../core/images/wim-image-names.js';
import { writeWimFile } from '../../support/wim-file.js';

const dir = mkdtempSync(join(tmpdir(), 'octofleet-wim-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('readWimImageNames', () => {
  it('reads every image name from the XML metadata, in index order', async () => {
    const path = join(dir, 'install.wim');
    writeWimFile(path, [
      'Windows Server 2025 SERVERSTANDARDCORE',
      'Windows Server 2025 SERVERSTANDARD',
      'A & B',
    ]);
    expect(await readWimImageNames(path)).toEqual([
      'Windows Server 2025 SERVERSTANDARDCORE',
      'Windows Server 2025 SERVERSTANDARD',
      'A & B',
    ]);
  });

  it('refuses a file that is not a WIM', async () => {
    const path = join(dir, 'not.wim');
    writeFileSync(path, Buffer.alloc(4096, 1));
    await expect(readWimImageNames(path)).rejects.toBeInstanceOf(WimFormatError);
  });
});

import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { IPXE_BINARIES, installIpxeBinaries } from '../../../core/pxe/index.js';

let dir = '';
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function fakeIpxeDir(names: readonly string[]) {
  dir = mkdtempSync(join(tmpdir(), 'octofleet-ipxe-test-'));
  const source = join(dir, 'ipxe');
  mkdirSync(source);
  for (const name of names) writeFileSync(join(source, name), `binary ${name}`, { mode: 0o600 });
  return source;
}

describe('installIpxeBinaries', () => {
  it('copies every binary into a world-readable TFTP root, creating it', async () => {
    const source = fakeIpxeDir(IPXE_BINARIES);
    const root = join(dir, 'srv', 'tftp');
    const written = await installIpxeBinaries(root, source);
    expect(written).toEqual(IPXE_BINARIES.map((name) => join(root, name)));
    expect(readdirSync(root).sort()).toEqual([...IPXE_BINARIES].sort());
    expect(statSync(root).mode & 0o777).toBe(0o755);
    for (const file of written) expect(statSync(file).mode & 0o777).toBe(0o644);
  });

  it('names the missing file and the package, and writes nothing', async () => {
    const source = fakeIpxeDir(['undionly.kpxe', 'ipxe.efi']);
    const root = join(dir, 'tftp');
    await expect(installIpxeBinaries(root, source)).rejects.toThrow(
      `${join(source, 'snponly.efi')} not found: install Debian's ipxe package`,
    );
    expect(existsSync(root)).toBe(false);
  });
});

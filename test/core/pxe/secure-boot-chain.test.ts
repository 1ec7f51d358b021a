import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { installSecureBootChain, renderGrubStaticConfig } from '../../../core/pxe/secure-boot-chain.js';

// Golden file: `UPDATE_GOLDEN=1 npx vitest run test/core/pxe` rewrites it; review the diff.
const UPDATE = process.env.UPDATE_GOLDEN === '1';
let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'octofleet-sb-'));
  await writeFile(join(dir, 'shim.efi'), 'MZ shim');
  await writeFile(join(dir, 'grub-2.12.efi'), 'MZ\0GNU GRUB\0' + '2.12-9+deb13u4\0');
  await writeFile(join(dir, 'grub-2.06.efi'), 'MZ\0GNU GRUB\0' + '2.06-13+deb12u2\0');
});
afterEach(() => rm(dir, { recursive: true, force: true }));

describe('the Secure Boot chain in the TFTP root', () => {
  it('renders the static grub.cfg that asks GET /grub/<mac> over http', () => {
    const text = renderGrubStaticConfig('http://192.168.10.5:8080/');
    const golden = join(import.meta.dirname, 'golden', 'grub.cfg');
    if (UPDATE) writeFileSync(golden, text);
    expect(existsSync(golden), `${golden} is missing: run with UPDATE_GOLDEN=1`).toBe(true);
    expect(text).toBe(readFileSync(golden, 'utf8'));
    expect(text).toContain(`source '(http,192.168.10.5:8080)/grub/'"$net_default_mac"`);
  });

  it('refuses an https boot URL: GRUB has no TLS', () => {
    expect(() => renderGrubStaticConfig('https://boot.example')).toThrow(/must be http:\/\/ for GRUB/);
  });

  it('places shimx64.efi, grubx64.efi and grub/grub.cfg, world-readable', async () => {
    const root = join(dir, 'tftp');
    const written = await installSecureBootChain(root, {
      publicBootUrl: 'http://10.0.2.2:8080',
      shim: join(dir, 'shim.efi'),
      grub: join(dir, 'grub-2.12.efi'),
    });
    expect(written).toEqual([
      join(root, 'shimx64.efi'),
      join(root, 'grubx64.efi'),
      join(root, 'grub', 'grub.cfg'),
    ]);
    expect(await readFile(join(root, 'shimx64.efi'), 'utf8')).toBe('MZ shim');
    expect(await readFile(join(root, 'grub', 'grub.cfg'), 'utf8')).toContain('(http,10.0.2.2:8080)/grub/');
    for (const path of written) expect((await stat(path)).mode & 0o777).toBe(0o644);
  });

  it('refuses GRUB 2.06 (no http module in its signed netboot image) and writes nothing', async () => {
    const root = join(dir, 'tftp');
    await expect(
      installSecureBootChain(root, {
        publicBootUrl: 'http://10.0.2.2:8080',
        shim: join(dir, 'shim.efi'),
        grub: join(dir, 'grub-2.06.efi'),
      }),
    ).rejects.toThrow(/is GRUB 2\.06, whose signed netboot image has no http module/);
    expect(existsSync(root) ? await readdir(root) : []).toEqual([]);
  });

  it('names the package when shim is missing', async () => {
    await expect(
      installSecureBootChain(join(dir, 'tftp'), { publicBootUrl: 'http://x:1', shim: join(dir, 'nope') }),
    ).rejects.toThrow(/install Debian's shim-signed package/);
  });
});

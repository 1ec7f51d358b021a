import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EFI_LOADERS } from '../../core/pxe/local-boot-efi.js';
import { createTemplateEngine } from '../../core/render/template-engine.js';
import { startTestBootServer, type TestBootServer } from './helpers/boot-server-fixture.js';

// GET /local-boot/bootx64.efi: the UEFI local-boot GRUB. Its embedded config has a golden file
// (UPDATE_GOLDEN=1 rewrites it); test/e2e/local-boot.test.ts boots it for real.
const GOLDEN = join(import.meta.dirname, 'golden', 'local-boot-grub.cfg');
const UPDATE = process.env.UPDATE_GOLDEN === '1';
const hasGrub = (() => {
  try {
    execFileSync('grub-mkstandalone', ['--version'], { stdio: 'ignore' });
    return existsSync('/usr/lib/grub/x86_64-efi/normal.mod');
  } catch {
    return false;
  }
})();

let t: TestBootServer;
beforeAll(async () => {
  t = await startTestBootServer();
});
afterAll(() => t?.close());

describe('the UEFI local-boot loader', () => {
  it('embeds a config that searches the known EFI loaders, fallback path last, and fails when none is found', () => {
    const cfg = createTemplateEngine('templates').render('local-boot/grub.cfg', { loaders: EFI_LOADERS });
    if (UPDATE || !existsSync(GOLDEN)) {
      mkdirSync(join(import.meta.dirname, 'golden'), { recursive: true });
      writeFileSync(GOLDEN, cfg);
    }
    expect(cfg).toBe(readFileSync(GOLDEN, 'utf8'));
    expect(cfg).toContain(`for loader in ${EFI_LOADERS.join(' ')} ; do`);
    expect(EFI_LOADERS.at(-1)).toBe('/EFI/BOOT/BOOTX64.EFI');
    expect(cfg.trimEnd().endsWith('exit 1')).toBe(true);
  });

  it.skipIf(!hasGrub)('is served as an EFI application (PE, x86-64), the same bytes every time', async () => {
    const first = await fetch(`${t.boot}/local-boot/bootx64.efi`);
    expect(first.status).toBe(200);
    expect(first.headers.get('content-type')).toBe('application/efi');
    const bytes = Buffer.from(await first.arrayBuffer());
    expect(bytes.subarray(0, 2).toString('latin1')).toBe('MZ');
    const pe = bytes.readUInt32LE(0x3c);
    expect(bytes.subarray(pe, pe + 4).toString('latin1')).toBe('PE\0\0');
    expect(bytes.readUInt16LE(pe + 4)).toBe(0x8664);
    const again = Buffer.from(await (await fetch(`${t.boot}/local-boot/bootx64.efi`)).arrayBuffer());
    expect(again.equals(bytes)).toBe(true);
  });
});

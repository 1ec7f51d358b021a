import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/**
 * EFI loaders the local-boot GRUB looks for, in order (grub.cfg's `search --file`): shim first so Secure
 * Boot chains stay intact, then GRUB and the Windows Boot Manager, then the removable-media fallback.
 */
export const EFI_LOADERS = [
  '/EFI/debian/shimx64.efi',
  '/EFI/ubuntu/shimx64.efi',
  '/EFI/redhat/shimx64.efi',
  '/EFI/rocky/shimx64.efi',
  '/EFI/debian/grubx64.efi',
  '/EFI/ubuntu/grubx64.efi',
  '/EFI/Microsoft/Boot/bootmgfw.efi',
  '/EFI/BOOT/BOOTX64.EFI',
] as const;

/** GRUB modules the embedded config needs (normal runs it): partition tables, file systems an ESP may use, search, chain. */
const MODULES = 'normal configfile part_gpt part_msdos fat iso9660 search search_fs_file chain echo test';

/**
 * Builds the UEFI local-boot loader: a standalone x86-64 GRUB (Debian package grub-efi-amd64-bin,
 * `grub-mkstandalone`) with `config` embedded. Built once per config text (and module list) into
 * `cacheDir` and reused.
 * @returns the path of the built `.efi` file
 * @throws when grub-mkstandalone or the x86_64-efi modules are missing
 */
export async function buildLocalBootEfi(
  config: string,
  cacheDir = join(tmpdir(), 'octofleet-local-boot'),
): Promise<string> {
  const key = createHash('sha256').update(`${MODULES}\n${config}`).digest('hex').slice(0, 16);
  const target = join(cacheDir, `bootx64-${key}.efi`);
  try {
    await readFile(target);
    return target;
  } catch {}
  await mkdir(cacheDir, { recursive: true });
  const work = await mkdtemp(join(cacheDir, '.build-'));
  try {
    await writeFile(join(work, 'grub.cfg'), config);
    const out = join(work, 'bootx64.efi');
    await run('grub-mkstandalone', [
      '--format=x86_64-efi',
      `--output=${out}`,
      `--install-modules=${MODULES}`,
      `--modules=${MODULES}`,
      '--locales=',
      '--fonts=',
      '--themes=',
      `boot/grub/grub.cfg=${join(work, 'grub.cfg')}`,
    ]);
    // Rename is atomic: a concurrent request never serves a half-written file.
    await rename(out, target);
    return target;
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

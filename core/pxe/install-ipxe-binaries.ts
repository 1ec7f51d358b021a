import { access, chmod, copyFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { BIOS_BINARY } from './pxe-settings.js';

/** Where Debian's `ipxe` package installs the chainloadable binaries. */
export const DEBIAN_IPXE_DIR = '/usr/lib/ipxe';

/** Every binary the TFTP root offers: BIOS, and both UEFI builds so PXE_UEFI_BINARY can switch freely. */
export const IPXE_BINARIES = [BIOS_BINARY, 'ipxe.efi', 'snponly.efi'] as const;

/**
 * Copies the iPXE binaries from `sourceDir` into `tftpRoot` (created if missing). Copies rather than
 * links, so the folder can be mounted into a container. The folder and files are made world-readable,
 * because dnsmasq serves them as the unprivileged user it drops to. Checks every source first, so a
 * missing package changes nothing. @returns the paths written.
 */
export async function installIpxeBinaries(
  tftpRoot: string,
  sourceDir = DEBIAN_IPXE_DIR,
  /** Called after each file is copied: how many of how many, and its name (for a progress bar). */
  onProgress?: (done: number, total: number, name: string) => void,
): Promise<string[]> {
  for (const name of IPXE_BINARIES) {
    try {
      await access(join(sourceDir, name));
    } catch {
      throw new Error(
        `${join(sourceDir, name)} not found: install Debian's ipxe package (apt-get install ipxe) or pass --ipxe-dir`,
      );
    }
  }
  await mkdir(tftpRoot, { recursive: true });
  await chmod(tftpRoot, 0o755);
  const written: string[] = [];
  for (const name of IPXE_BINARIES) {
    const target = join(tftpRoot, name);
    await copyFile(join(sourceDir, name), target);
    await chmod(target, 0o644);
    written.push(target);
    onProgress?.(written.length, IPXE_BINARIES.length, name);
  }
  return written;
}

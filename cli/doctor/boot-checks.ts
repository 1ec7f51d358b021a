import { constants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { assessBootUrl, ConfigError } from '../../core/config/index.js';
import { IPXE_BINARIES, resolvePxeSettings } from '../../core/pxe/index.js';
import { type CheckContext, type CheckResult, fail, ok, reason, warn } from './check.js';

/** PUBLIC_BOOT_URL is one machines can reach, and the boot server answers /healthz there. */
export async function checkBootUrl({ config, timeoutMs }: CheckContext): Promise<CheckResult[]> {
  const a = assessBootUrl(config);
  const title = 'Boot URL';
  const fix = 'set PUBLIC_BOOT_URL to http://<this host on the PXE network>:<BOOT_PORT>';
  const results: CheckResult[] = [];
  if (a.problem) results.push(fail('boot-url', title, a.warning!, fix));
  else if (a.guessed) results.push(warn('boot-url', title, a.warning!, fix));
  else results.push(ok('boot-url', title, `${a.url} (set by PUBLIC_BOOT_URL)`));
  const healthz = `${a.url}/healthz`;
  try {
    const res = await fetch(healthz, { signal: AbortSignal.timeout(timeoutMs) });
    await res.body?.cancel();
    results.push(
      res.ok
        ? ok('boot-healthz', 'Boot server', `${healthz} answers ${res.status}`)
        : fail(
            'boot-healthz',
            'Boot server',
            `${healthz} answers ${res.status}`,
            'the boot server cannot reach Postgres or Redis: see the checks above and its log',
          ),
    );
  } catch (error) {
    results.push(
      fail(
        'boot-healthz',
        'Boot server',
        `${healthz} does not answer (${reason(error)})`,
        "start it ('npm start' or 'npm run boot-server') and check that BOOT_HOST listens on that address",
      ),
    );
  }
  return results;
}

/** The PXE service's settings are valid and its TFTP root holds the binaries it hands out. */
export async function checkPxe({ config }: CheckContext): Promise<CheckResult[]> {
  const results: CheckResult[] = [];
  try {
    const settings = resolvePxeSettings(config);
    results.push(
      ok('pxe-config', 'PXE settings', `${settings.mode} mode, next-server ${settings.serverAddress}`),
    );
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    results.push(
      fail('pxe-config', 'PXE settings', error.message, 'set the PXE_* variables; see docs/pxe.md'),
    );
  }
  const root = config.PXE_TFTP_ROOT;
  const wanted = tftpFiles(String(config.PXE_UEFI_BINARY));
  const problems: string[] = [];
  for (const name of wanted) {
    const path = join(root, name);
    try {
      if (!(await stat(path)).isFile()) problems.push(`${name} is not a file`);
      else await access(path, constants.R_OK);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      problems.push(code === 'ENOENT' ? `${name} is missing` : `${name} cannot be read (${code})`);
    }
  }
  results.push(
    problems.length
      ? fail(
          'tftp',
          'TFTP files',
          `${root}: ${problems.join(', ')}`,
          "run 'npm run pxe:config -- --tftp' (needs Debian's ipxe package; shim-signed and grub-efi-amd64-signed for Secure Boot)",
        )
      : ok('tftp', 'TFTP files', `${root}: ${wanted.join(', ')}`),
  );
  return results;
}

/**
 * The files the TFTP root must hold: iPXE for BIOS and both UEFI builds; with Secure Boot
 * (`PXE_UEFI_BINARY=shimx64.efi`) also the signed shim, the network GRUB it chains to and GRUB's config.
 */
export function tftpFiles(uefiBinary: string): string[] {
  const files: string[] = [...IPXE_BINARIES];
  if (uefiBinary === 'shimx64.efi') files.push('shimx64.efi', 'grubx64.efi', 'grub/grub.cfg');
  else if (!files.includes(uefiBinary)) files.push(uefiBinary);
  return files;
}

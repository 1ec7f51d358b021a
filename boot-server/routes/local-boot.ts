import { readFile } from 'node:fs/promises';
import type Router from '@koa/router';
import { NotFoundError } from '../../core/errors.js';
import { buildLocalBootEfi, EFI_LOADERS } from '../../core/pxe/local-boot-efi.js';
import type { BootServerDeps } from '../deps.js';

/**
 * `GET /local-boot/bootx64.efi`: the UEFI local-boot loader that the local-boot iPXE script chains
 * (templates/local-boot/grub.cfg.hbs). Built on first request with grub-mkstandalone and kept in memory.
 * Without GRUB's EFI modules on this host it answers 404, once logged, and iPXE falls back to `exit 1`.
 */
export function localBootRoute(router: Router, { core }: BootServerDeps): void {
  let built: Promise<Buffer> | null = null;
  const logger = core.logger.child({ component: 'local-boot' });
  router.get('/local-boot/bootx64.efi', async (ctx) => {
    built ??= buildLocalBootEfi(core.templates.render('local-boot/grub.cfg', { loaders: EFI_LOADERS }))
      .then((path) => readFile(path))
      .catch((error: Error) => {
        logger.error(
          { err: error },
          'cannot build the UEFI local-boot loader (install grub-efi-amd64-bin); UEFI machines fall back to the firmware boot order',
        );
        throw new NotFoundError('the UEFI local-boot loader is not available on this boot server');
      });
    ctx.body = await built;
    ctx.type = 'application/efi';
    ctx.set('Cache-Control', 'no-store');
  });
}

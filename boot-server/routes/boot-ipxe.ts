import type Router from '@koa/router';
import type { BootServerDeps } from '../deps.js';
import { renderEntryScript } from '../ipxe/scripts.js';

/** `GET /boot.ipxe`: the entry script DHCP points iPXE at; chains to the per-MAC script. */
export function bootIpxeRoute(router: Router, { core, retry }: BootServerDeps): void {
  router.get('/boot.ipxe', (ctx) => {
    ctx.type = 'text/plain';
    ctx.set('Cache-Control', 'no-store');
    ctx.body = renderEntryScript(core.templates, { bootUrl: core.config.publicBootUrl, retry });
  });
}

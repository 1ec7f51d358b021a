import type Router from '@koa/router';

/**
 * `GET /boot.ipxe`: the entry script DHCP points iPXE at; chains to the per-MAC script. The listener
 * answers it before Koa (boot-server/hot-path.ts); this route is the same answer for callers of the Koa
 * app itself.
 */
export function bootIpxeRoute(router: Router, entryScript: () => Buffer): void {
  router.get('/boot.ipxe', (ctx) => {
    ctx.type = 'text/plain';
    ctx.set('Cache-Control', 'no-store');
    ctx.body = entryScript();
  });
}

import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ensureTinyLinux, type KernelAndInitrd } from './artifacts.js';
import { type FixtureRoute, type RecordedRequest, startHttpFixture } from './http-fixture.js';
import { bootQemu, type Firmware, killAllVms, qemuSkipReason } from './qemu.js';
import { TINY_LINUX_STAGES, TINY_LINUX_TAG } from './tiny-linux-init.js';

const skipReason = qemuSkipReason();
if (skipReason) console.warn(`skipping QEMU PXE smoke test: ${skipReason}`);

const isCallback = (request: RecordedRequest) => request.method === 'POST' && request.url === '/cb';

describe.skipIf(skipReason)('PXE test infrastructure: a real iPXE client in QEMU', () => {
  let tinyLinux: KernelAndInitrd;

  beforeAll(async () => {
    // First run downloads Debian's kernel package (~70 MB); later runs hit .cache/pxe.
    tinyLinux = await ensureTinyLinux();
  }, 300_000);

  afterEach(killAllVms);

  it.each<Firmware>(['bios', 'efi'])(
    '%s: iPXE chains to our server, boots the tiny Linux, which posts installing, configuring, done',
    async (firmware) => {
      const routes: Record<string, FixtureRoute> = {
        '/vmlinuz': { file: tinyLinux.kernel },
        '/initrd.gz': { file: tinyLinux.initrd },
        '/cb': { status: 204 },
      };
      const server = await startHttpFixture(routes);
      try {
        // UEFI's iPXE only hands the initrd to the kernel when the kernel line names it.
        routes['/boot.ipxe'] = {
          text: [
            '#!ipxe',
            `kernel ${server.guestUrl}/vmlinuz console=ttyS0 cb=${server.guestUrl}/cb initrd=initrd.gz`,
            `initrd ${server.guestUrl}/initrd.gz`,
            'boot',
            '',
          ].join('\n'),
        };
        const vm = await bootQemu({ firmware, chainUrl: `${server.guestUrl}/boot.ipxe`, timeoutMs: 170_000 });

        const last = await server.waitForRequest(
          (request) => isCallback(request) && request.body.startsWith('status=done'),
          160_000,
        );
        const script = server.requests.find((request) => request.url === '/boot.ipxe');
        expect(script?.headers['user-agent']).toMatch(/^iPXE\//);
        const callbacks = server.requests.filter(isCallback);
        expect(callbacks.map((request) => new URLSearchParams(request.body).get('status'))).toEqual([
          ...TINY_LINUX_STAGES,
        ]);
        for (const request of callbacks) {
          expect(request.headers['content-type']).toBe('application/x-www-form-urlencoded');
          expect(new URLSearchParams(request.body).get('message')).toMatch(/^tiny linux stage /);
        }
        await vm.waitForConsole(new RegExp(`${TINY_LINUX_TAG} all callbacks sent`), 10_000);

        const seconds = (at: number | undefined) =>
          at === undefined ? '?' : ((at - vm.startedAt) / 1000).toFixed(1);
        console.info(
          `[pxe-smoke] ${firmware}: boot.ipxe ${seconds(script?.at)} s, first callback ` +
            `${seconds(callbacks[0]?.at)} s, done ${seconds(last.at)} s after QEMU start`,
        );
      } finally {
        await server.close();
      }
    },
    180_000,
  );
});

import { afterAll, beforeAll, describe, it } from 'vitest';
import { ensureTinyLinux, type KernelAndInitrd } from './artifacts.js';
import { type FixtureRoute, type RecordedRequest, startHttpFixture } from './http-fixture.js';
import { BOOT_FAILURE, bootQemu, type Firmware, killAllVms, qemuSkipReason } from './qemu.js';
import { TINY_LINUX_STAGES, TINY_LINUX_TAG } from './tiny-linux-init.js';

const skipReason = qemuSkipReason(import.meta.filename);

const isCallback = (request: RecordedRequest) => request.method === 'POST' && request.url === '/cb';
// iPXE settings, expanded by the client: https://ipxe.org/cfg
const REPORT = [
  'mac=${net0/mac}',
  'platform=${platform}',
  'uuid=${uuid}',
  'manufacturer=${manufacturer:uristring}',
  'product=${product:uristring}',
].join('&');
const statusOf = (request: RecordedRequest) => new URLSearchParams(request.body).get('status');

describe.skipIf(skipReason)('PXE test infrastructure: a real iPXE client in QEMU', () => {
  let tinyLinux: KernelAndInitrd;

  beforeAll(async () => {
    // First run downloads Debian's kernel package (~70 MB); later runs hit .cache/pxe.
    tinyLinux = await ensureTinyLinux();
  }, 300_000);

  afterAll(killAllVms);

  // Both firmwares boot at once (~10 s saved on two cores), so each test stops only its own VM.
  it.concurrent.for<Firmware>(['bios', 'efi'])(
    '%s: iPXE chains to our server, boots the tiny Linux, which posts installing, configuring, done',
    { timeout: 180_000 },
    async (firmware, { expect, onTestFinished }) => {
      const routes: Record<string, FixtureRoute> = {
        '/vmlinuz': { file: tinyLinux.kernel },
        '/initrd.gz': { file: tinyLinux.initrd },
        '/cb': { status: 204 },
      };
      const server = await startHttpFixture(routes);
      onTestFinished(() => server.close());
      // What iPXE reports about the machine proves the MAC, UUID and SMBIOS options reach it.
      routes['/boot.ipxe'] = {
        text: `#!ipxe\nchain ${server.guestUrl}/tiny.ipxe?${REPORT}\n`,
      };
      // UEFI's iPXE only hands the initrd to the kernel when the kernel line names it.
      routes['/tiny.ipxe'] = {
        text: [
          '#!ipxe',
          `kernel ${server.guestUrl}/vmlinuz console=ttyS0 cb=${server.guestUrl}/cb initrd=initrd.gz`,
          `initrd ${server.guestUrl}/initrd.gz`,
          'boot',
          '',
        ].join('\n'),
      };
      const vm = await bootQemu({
        firmware,
        chainUrl: `${server.guestUrl}/boot.ipxe`,
        smbios: { manufacturer: 'Octofleet Labs', product: 'Smoke, Test' },
        failOn: BOOT_FAILURE,
        timeoutMs: 170_000,
      });
      onTestFinished(async () => {
        await vm.kill();
      });

      const last = await vm.until(
        server.waitForRequest((request) => isCallback(request) && statusOf(request) === 'done', 160_000),
      );

      const script = server.requests.find((request) => request.url === '/boot.ipxe');
      expect(script?.headers['user-agent']).toMatch(/^iPXE\//);
      const report = server.requests.find((request) => request.url.startsWith('/tiny.ipxe?'));
      expect(Object.fromEntries(new URL(report?.url ?? '/', server.guestUrl).searchParams)).toEqual({
        mac: vm.mac,
        platform: firmware === 'bios' ? 'pcbios' : 'efi',
        uuid: vm.uuid,
        manufacturer: 'Octofleet Labs',
        product: 'Smoke, Test',
      });
      const callbacks = server.requests.filter(isCallback);
      expect(callbacks.map(statusOf)).toEqual([...TINY_LINUX_STAGES]);
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
    },
  );
});

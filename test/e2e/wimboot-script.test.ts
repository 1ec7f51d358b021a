// A ws2025 deployment's wimboot install script, executed by a real iPXE (QEMU's e1000 option ROM) under
// BIOS and UEFI against the real boot server: every URL the script names must be requested and served.
// The files are placeholders, so Windows never starts: "wimboot" is a tiny iPXE script that lists the
// images iPXE holds when `boot` runs (a real wimboot would hand them to WinPE). See
// docs/testing.md ("Real PXE clients in QEMU") for timings and pitfalls.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startTestBootServer, type TestBootServer } from '../boot-server/helpers/boot-server-fixture.js';
import { freePort } from '../support/free-port.js';
import { bootQemu, type Firmware, GUEST_HOST, killAllVms, qemuSkipReason } from '../support/pxe/qemu.js';

const skipReason = qemuSkipReason(import.meta.filename);

const PLACEHOLDER_TAG = 'octofleet-placeholder-wimboot';
/** Recognised by iPXE (`kernel` selects it, `boot` runs it), unlike random bytes. */
// Like wimboot, it never returns: a `boot` that returned would be reported as a failure (boot-report).
const PLACEHOLDER_WIMBOOT = `#!ipxe\necho ${PLACEHOLDER_TAG}: boot reached, images:\nimgstat\necho ${PLACEHOLDER_TAG}: end\nsleep 600\n`;
const WINDOWS_FILES = [
  'windows/wimboot',
  'windows/curl.exe',
  ...['BCD', 'boot.sdi', 'boot.wim', 'install.wim'].map((f) => `windows/ws2025/${f}`),
  ...['viostor', 'vioscsi', 'netkvm'].flatMap((d) =>
    ['inf', 'sys', 'cat'].map((e) => `windows/ws2025/drivers/kvm/${d}.${e}`),
  ),
];

/** What a placeholder file holds: wimboot's stand-in, an INF naming its .sys and .cat (so they are served), text. */
function placeholder(file: string): string {
  if (file === 'windows/wimboot') return PLACEHOLDER_WIMBOOT;
  const inf = /\/(\w+)\.inf$/.exec(file)?.[1];
  if (inf) return `[Version]\r\nCatalogFile = ${inf}.cat\r\n[SourceDisksFiles]\r\n${inf}.sys = 1\r\n`;
  return `placeholder ${file}\n`;
}

interface RequestLine {
  method: string;
  path: string;
  status: number;
}

/** The URLs an install script fetches: the URL argument of every `kernel` and `initrd` line. */
function scriptUrls(script: string): string[] {
  return script
    .split('\n')
    .filter((line) => /^(kernel|initrd) /.test(line))
    .map((line) => line.split(' ').find((word) => /^https?:\/\//.test(word))!);
}

describe.skipIf(skipReason)('wimboot install script in a real iPXE (QEMU)', () => {
  let artifactsDir: string;
  let boot: TestBootServer;
  let guestUrl: string;

  /** Access log lines of the boot listener (tokens redacted to `[token]`). */
  const requests = (): RequestLine[] =>
    boot.logs
      .filter((l) => l.msg === 'request' && l.listener === 'boot')
      .map((l) => ({ method: String(l.method), path: String(l.path), status: Number(l.status) }));

  async function waitForRequest(match: (r: RequestLine) => boolean, timeoutMs: number): Promise<RequestLine> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = requests().find(match);
      if (found) return found;
      if (Date.now() > deadline) {
        throw new Error(
          `no such request within ${timeoutMs} ms; seen: ${requests()
            .map((r) => `${r.method} ${r.path} ${r.status}`)
            .join(', ')}`,
        );
      }
      await new Promise((done) => setTimeout(done, 200));
    }
  }

  beforeAll(async () => {
    artifactsDir = await mkdtemp(join(tmpdir(), 'octofleet-wimboot-'));
    for (const file of WINDOWS_FILES) {
      await mkdir(dirname(join(artifactsDir, file)), { recursive: true });
      await writeFile(join(artifactsDir, file), placeholder(file));
    }
    const port = await freePort();
    guestUrl = `http://${GUEST_HOST}:${port}`;
    boot = await startTestBootServer({
      BOOT_PORT: String(port),
      PUBLIC_BOOT_URL: guestUrl,
      ARTIFACTS_DIR: artifactsDir,
    });
  }, 60_000);

  afterEach(killAllVms);

  afterAll(async () => {
    await boot?.close();
    await rm(artifactsDir, { recursive: true, force: true });
  });

  it.each<[Firmware, string, string]>([
    ['bios', '52:54:00:57:00:01', 'pcbios'],
    ['efi', '52:54:00:57:00:02', 'efi'],
  ])(
    '%s: iPXE fetches wimboot, the deployment files, the VirtIO drivers, BCD, boot.sdi and boot.wim, then boots',
    async (firmware, mac, platform) => {
      const created = await boot.apiFetch('/api/v1/deployments', {
        method: 'POST',
        json: { mac, os: 'ws2025', hostname: `WIN-${firmware.toUpperCase()}` },
      });
      expect(created.status).toBe(201);
      const { id } = (await created.json()) as { id: number };
      expect((await boot.apiFetch(`/api/v1/deployments/${id}/approve`, { method: 'POST' })).status).toBe(200);

      const vm = await bootQemu({ firmware, mac, chainUrl: `${guestUrl}/boot.ipxe`, timeoutMs: 150_000 });
      await waitForRequest((r) => r.path === '/files/windows/ws2025/boot.wim', 120_000);
      const listing = await vm.waitForConsole(new RegExp(`${PLACEHOLDER_TAG}: end`), 30_000);
      expect(listing).toBeTruthy();

      // The script this machine got, as the server renders it for a booting deployment.
      const query = `platform=${platform}&arch=x86_64&manufacturer=QEMU&product=Standard%20PC`;
      const script = await (await fetch(`${boot.boot}/ipxe/${mac}?${query}`)).text();
      const urls = scriptUrls(script);
      expect(urls).toHaveLength(16);
      const served = requests().filter((r) => r.method === 'GET' && r.status === 200);
      for (const url of urls) {
        const path = new URL(url).pathname.replace(/^\/d\/[^/]+/, '/d/[token]');
        expect(
          served.map((r) => r.path),
          `${url} was requested and served`,
        ).toContain(path);
      }
      expect(
        requests()
          .filter((r) => r.status >= 400)
          .map((r) => `${r.method} ${r.path} ${r.status}`),
      ).toEqual([]);

      // When `boot` ran, iPXE held every file under the name wimboot shows WinPE: the image name (what
      // wimboot reads on UEFI) and the command line (what the BIOS loader passes) are both the file name.
      const screen = vm.console().slice(vm.console().indexOf(`${PLACEHOLDER_TAG}: boot reached`));
      if (process.env.OCTOFLEET_SHOW_CONSOLE) console.info(screen);
      const held = [...screen.matchAll(/^(\S+) : \d+ bytes (?:\[[^\]]*\] )?"([^"]*)"$/gm)].map((m) => [
        m[1],
        m[2],
      ]);
      const names = urls.slice(1).map((url) => url.split('/').pop()!);
      expect(held).toEqual(names.map((name) => [name, name]));

      const deployment = (await (await boot.apiFetch(`/api/v1/deployments/${id}`)).json()) as {
        status: string;
        events: { stage: string; message: string }[];
      };
      expect(deployment.status).toBe('booting');
      expect(deployment.events.find((e) => e.stage === 'booting')?.message).toMatch(
        /profile kvm \(auto: rule \d+ of kvm \(manufacturer "QEMU"\)\)$/,
      );
      console.info(
        `[wimboot] ${firmware}: boot.wim served ${((Date.now() - vm.startedAt) / 1000).toFixed(1)} s after QEMU start`,
      );
    },
    170_000,
  );
});

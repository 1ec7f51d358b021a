import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkImageReadiness, imageFiles } from '../../../core/images/image-readiness.js';
import type { ImageBoot } from '../../../core/images/image-schema.js';
import { createReadinessCache } from '../../../core/images/readiness-cache.js';

const dir = mkdtempSync(join(tmpdir(), 'octofleet-ready-'));
let server: Server;
let origin = '';
beforeAll(async () => {
  // A mirror: /vmlinuz exists (with a size), anything else is 404.
  server = createServer((req, res) => {
    if (req.url === '/vmlinuz') res.writeHead(200, { 'content-length': '1234' }).end();
    else res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => {
  server?.close();
  rmSync(dir, { recursive: true, force: true });
});

const wimboot: ImageBoot = {
  method: 'wimboot',
  wimboot: 'windows/wimboot',
  bootWim: 'windows/x/boot.wim',
  bcd: 'windows/x/BCD',
  bootSdi: 'windows/x/boot.sdi',
  installWim: 'windows/x/install.wim',
  files: [{ name: 'curl.exe', url: 'windows/curl.exe' }],
};

function put(relative: string, content = 'x') {
  mkdirSync(join(dir, relative, '..'), { recursive: true });
  writeFileSync(join(dir, relative), content);
}

describe('imageFiles', () => {
  it('lists a wimboot image’s files in boot order, resolved under ARTIFACTS_DIR', () => {
    expect(imageFiles(wimboot, dir).map((f) => [f.role, f.path])).toEqual([
      ['wimboot', join(dir, 'windows/wimboot')],
      ['bcd', join(dir, 'windows/x/BCD')],
      ['bootSdi', join(dir, 'windows/x/boot.sdi')],
      ['bootWim', join(dir, 'windows/x/boot.wim')],
      ['installWim', join(dir, 'windows/x/install.wim')],
      ['file', join(dir, 'windows/curl.exe')],
    ]);
  });

  it('adds the files a linux cmdline fetches from /files/, and leaves URLs remote', () => {
    const files = imageFiles(
      {
        method: 'linux',
        kernel: `${origin}/vmlinuz`,
        initrd: ['u/initrd%20x'],
        cmdline: 'url={{ipxe filesUrl}}/u/live.iso ds=nocloud-net;s={{ipxe artifactUrl}}/',
      },
      dir,
    );
    expect(files.map((f) => [f.role, f.path])).toEqual([
      ['kernel', null],
      ['initrd', join(dir, 'u/initrd x')],
      ['cmdline', join(dir, 'u/live.iso')],
    ]);
  });
});

describe('checkImageReadiness', () => {
  it('names each missing local file; remote URLs are left unchecked unless asked', async () => {
    put('windows/wimboot');
    put('windows/x/BCD');
    put('windows/x/boot.sdi');
    put('windows/x/boot.wim');
    put('windows/curl.exe');
    mkdirSync(join(dir, 'windows/x/install.wim'), { recursive: true }); // a folder, not a file
    const r = await checkImageReadiness({ id: 'x', boot: wimboot }, { artifactsDir: dir });
    expect(r.ready).toBe(false);
    expect(r.missing.map((f) => [f.role, f.state])).toEqual([['installWim', 'not-a-file']]);
    rmSync(join(dir, 'windows/x/install.wim'), { recursive: true });
    const gone = await checkImageReadiness({ id: 'x', boot: wimboot }, { artifactsDir: dir });
    expect(gone.missing.map((f) => [f.role, f.state, f.problem])).toEqual([
      ['installWim', 'missing', 'does not exist'],
    ]);
    put('windows/x/install.wim', 'wim');
    expect((await checkImageReadiness({ id: 'x', boot: wimboot }, { artifactsDir: dir })).ready).toBe(true);
  });

  it('asks remote URLs with HEAD when told to: a 404 is missing, a 200 with a size is fine', async () => {
    const boot: ImageBoot = {
      method: 'linux',
      kernel: `${origin}/vmlinuz`,
      initrd: [`${origin}/initrd`],
      cmdline: '',
    };
    const lazy = await checkImageReadiness({ id: 'l', boot }, { artifactsDir: dir });
    expect(lazy.ready).toBe(true);
    expect(lazy.files.map((f) => f.state)).toEqual(['unchecked', 'unchecked']);
    const r = await checkImageReadiness({ id: 'l', boot }, { artifactsDir: dir, remote: true });
    expect(r.files.map((f) => [f.state, f.size ?? f.problem])).toEqual([
      ['ok', 1234],
      ['missing', 'answers HTTP 404'],
    ]);
  });
});

describe('readiness cache', () => {
  it('reuses a ready answer within its TTL, never a missing one, and forgets on an image change', async () => {
    const boot: ImageBoot = { method: 'linux', kernel: 'c/k', initrd: [], cmdline: '' };
    let now = 0;
    const cache = createReadinessCache({ artifactsDir: dir, ttlMs: 1000, now: () => now });
    const image = { id: 'c', boot, updatedAt: new Date(1) };
    expect((await cache.get(image)).ready).toBe(false);
    put('c/k');
    expect((await cache.get(image)).ready, 'a missing answer is re-checked at once').toBe(true);
    rmSync(join(dir, 'c/k'));
    expect((await cache.get(image)).ready, 'a ready answer is reused within the TTL').toBe(true);
    expect(
      (await cache.get({ ...image, updatedAt: new Date(2) })).ready,
      'an edited image is re-checked',
    ).toBe(false);
    put('c/k');
    await cache.get(image);
    rmSync(join(dir, 'c/k'));
    now = 1001;
    expect((await cache.get(image)).ready, 'and re-checked after it').toBe(false);
  });
});

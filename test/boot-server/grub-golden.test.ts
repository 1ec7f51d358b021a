import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { renderGrubInstall, renderGrubLocal, renderGrubWaiting } from '../../boot-server/grub/scripts.js';
import { buildInstallContext, DEFAULT_RETRY } from '../../boot-server/ipxe/scripts.js';
import type { OsImage } from '../../core/images/os-image.entity.js';
import { createTemplateEngine } from '../../core/render/template-engine.js';
import { testConfig } from '../support/test-database.js';
import { FIXED_TOKEN, fakeDeployment, fakeImage } from './helpers/fixtures.js';

// Rendered GRUB scripts (GET /grub/:mac) compared with test/boot-server/golden/grub/<case>.cfg.
// After an intended template change: UPDATE_GOLDEN=1 npx vitest run test/boot-server/grub-golden.test.ts
const GOLDEN_DIR = join(import.meta.dirname, 'golden', 'grub');
const UPDATE = process.env.UPDATE_GOLDEN === '1';

const templates = createTemplateEngine('templates');
const config = testConfig({ PUBLIC_BOOT_URL: 'http://192.0.2.10:8080' });

function install(image: OsImage, hostname = 'srv01') {
  const deployment = fakeDeployment({
    hostname,
    boot: { platform: 'efi', arch: 'x86_64' },
    resolvedProfile: 'kvm',
  });
  const context = buildInstallContext(templates, {
    config,
    deployment,
    image,
    token: FIXED_TOKEN,
    retry: DEFAULT_RETRY,
  });
  return renderGrubInstall(templates, image, context);
}

const cases: Record<string, () => string> = {
  waiting: () =>
    renderGrubWaiting(templates, {
      deployment: fakeDeployment({
        status: 'pending_approval',
        requestedBy: { platform: 'slack', id: 'U1', name: "o'brien" },
      }),
      pollSeconds: 15,
    }),
  'local-no-deployment': () => renderGrubLocal(templates, { mac: '52:54:00:12:34:56', deployment: null }),
  'local-done': () =>
    renderGrubLocal(templates, { mac: '52:54:00:12:34:56', deployment: fakeDeployment({ status: 'done' }) }),
  'install-linux': () => install(fakeImage()),
  'install-linux-semicolons-two-initrds': () =>
    install(
      fakeImage({
        id: 'ubuntu-test',
        boot: {
          method: 'linux',
          kernel: 'ubuntu/vmlinuz',
          initrd: ['ubuntu/initrd', 'firmware/initrd'],
          cmdline:
            "ip=dhcp autoinstall ds=nocloud-net;s={{ipxe artifactUrl}}/ quote=it's console=ttyS0,115200n8",
          secureBoot: true,
        },
      }),
    ),
  'install-linux-no-initrd': () =>
    install(
      fakeImage({ boot: { method: 'linux', kernel: 'tiny/vmlinuz', initrd: [], cmdline: 'console=ttyS0' } }),
    ),
};

describe('rendered GRUB scripts match their golden files', () => {
  it.each(Object.keys(cases))('%s', (name) => {
    const actual = cases[name]!();
    const file = join(GOLDEN_DIR, `${name}.cfg`);
    if (UPDATE || !existsSync(file)) {
      if (!UPDATE && process.env.CI)
        throw new Error(`golden file ${file} is missing; run with UPDATE_GOLDEN=1`);
      mkdirSync(GOLDEN_DIR, { recursive: true });
      writeFileSync(file, actual);
    }
    expect(actual).toBe(readFileSync(file, 'utf8'));
  });
});

describe('GRUB scripts', () => {
  it('quote every value: a quote in a name cannot end the string, $ and ; stay literal', () => {
    const script = cases.waiting!();
    expect(script).toContain(`echo 'Octofleet: requested by o'\\''brien on slack for 52:54:00:12:34:56'`);
    const semis = cases['install-linux-semicolons-two-initrds']!();
    expect(semis).toContain(`'ds=nocloud-net;s=http://192.0.2.10:8080/d/${FIXED_TOKEN}/'`);
    expect(semis).toContain(`'quote=it'\\''s'`);
  });

  it('boot locally by chainloading the installed loader, never by a bare exit first', () => {
    const script = cases['local-done']!();
    const first = script.indexOf('search --no-floppy --file --set=esp');
    expect(first).toBeGreaterThan(0);
    expect(script.indexOf('exit')).toBeGreaterThan(first);
    expect(script).toContain("chainloader '/EFI/debian/shimx64.efi'");
    expect(script).toContain('set root=$esp');
  });

  it('refuse an image GRUB cannot fetch (https) or boot (wimboot) with a template error', () => {
    expect(() =>
      install(
        fakeImage({
          boot: { method: 'linux', kernel: 'https://x.example/vmlinuz', initrd: [], cmdline: '' },
        }),
      ),
    ).toThrow(/GRUB fetches over plain http only/);
    const windows = fakeImage({
      id: 'ws2025',
      family: 'windows',
      boot: {
        method: 'wimboot',
        wimboot: 'w/wimboot',
        bootWim: 'w/boot.wim',
        bcd: 'w/BCD',
        bootSdi: 'w/boot.sdi',
        installWim: 'w/install.wim',
        files: [],
      },
    });
    expect(() => install(windows)).toThrow(/GRUB boots only linux images; ws2025 uses "wimboot"/);
  });

  it('refuse a value with a newline', () => {
    expect(() => install(fakeImage(), 'srv\necho pwned')).toThrow(/not safe for a GRUB script/);
  });
});

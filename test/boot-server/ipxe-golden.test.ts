import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_RETRY,
  renderEntryScript,
  renderInstallScript,
  renderLocalBootScript,
  renderWaitingScript,
} from '../../boot-server/ipxe/scripts.js';
import { createTemplateEngine } from '../../core/render/template-engine.js';
import { testConfig } from '../support/test-database.js';
import { FIXED_TOKEN, fakeDeployment, fakeImage } from './helpers/fixtures.js';

// Rendered iPXE scripts compared with test/boot-server/golden/<case>.ipxe.
// After an intended template change: UPDATE_GOLDEN=1 npx vitest run test/boot-server/ipxe-golden.test.ts
const GOLDEN_DIR = join(import.meta.dirname, 'golden');
const UPDATE = process.env.UPDATE_GOLDEN === '1';

const templates = createTemplateEngine('templates');
const config = testConfig({ PUBLIC_BOOT_URL: 'http://192.0.2.10:8080' });
const chatConfig = testConfig({
  PUBLIC_BOOT_URL: 'http://192.0.2.10:8080',
  DISCORD_TOKEN: 'discord-token',
  SLACK_BOT_TOKEN: 'xoxb-1',
  SLACK_APP_TOKEN: 'xapp-1',
});
const retry = DEFAULT_RETRY;

const cases: Record<string, () => string> = {
  entry: () => renderEntryScript(templates, { bootUrl: config.publicBootUrl, retry }),
  'waiting-shell': () =>
    renderWaitingScript(templates, {
      config,
      deployment: fakeDeployment({
        status: 'pending_approval',
        requestedBy: { platform: 'shell', id: 'op', name: 'operator' },
      }),
      retry,
      pollSeconds: 15,
    }),
  'waiting-discord-slack': () =>
    renderWaitingScript(templates, {
      config: chatConfig,
      deployment: fakeDeployment({ status: 'pending_approval' }),
      retry,
      pollSeconds: 30,
    }),
  'local-no-deployment-bios': () =>
    renderLocalBootScript(templates, {
      mac: '52:54:00:12:34:56',
      platform: 'pcbios',
      deployment: null,
      bootUrl: config.publicBootUrl,
    }),
  'local-installing-uefi': () =>
    renderLocalBootScript(templates, {
      mac: '52:54:00:12:34:56',
      platform: 'efi',
      deployment: fakeDeployment({ status: 'installing' }),
      bootUrl: config.publicBootUrl,
    }),
  'local-unknown-firmware': () =>
    renderLocalBootScript(templates, {
      mac: '52:54:00:12:34:56',
      deployment: null,
      bootUrl: config.publicBootUrl,
    }),
  'install-linux-bios': () =>
    renderInstallScript(templates, {
      config,
      deployment: fakeDeployment({ boot: { platform: 'pcbios', arch: 'i386' }, resolvedProfile: 'kvm' }),
      image: fakeImage(),
      token: FIXED_TOKEN,
      retry,
    }),
  'install-linux-uefi-two-initrds': () =>
    renderInstallScript(templates, {
      config,
      deployment: fakeDeployment({ boot: { platform: 'efi', arch: 'x86_64' }, resolvedProfile: 'baremetal' }),
      image: fakeImage({
        id: 'ubuntu-test',
        boot: {
          method: 'linux',
          kernel: 'https://mirror.example/ubuntu/vmlinuz',
          initrd: ['ubuntu/initrd', 'firmware/initrd'],
          cmdline:
            'ip=dhcp autoinstall ds=nocloud-net;s={{artifactUrl}}/ hostname={{deployment.hostname}} console=ttyS0,115200n8',
        },
      }),
      token: FIXED_TOKEN,
      retry: { attempts: 3, delay: 10, giveUp: 60 },
    }),
};

describe('rendered iPXE scripts match their golden files', () => {
  it.each(Object.keys(cases))('%s', (name) => {
    const actual = cases[name]!();
    const file = join(GOLDEN_DIR, `${name}.ipxe`);
    if (UPDATE || !existsSync(file)) {
      if (!UPDATE && process.env.CI)
        throw new Error(`golden file ${file} is missing; run with UPDATE_GOLDEN=1`);
      mkdirSync(GOLDEN_DIR, { recursive: true });
      writeFileSync(file, actual);
    }
    expect(actual).toBe(readFileSync(file, 'utf8'));
    expect(actual.startsWith('#!ipxe\n')).toBe(true);
  });
});

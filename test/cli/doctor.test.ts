// `npm run doctor` against a real installation: Postgres and Redis, a boot server answering /healthz on
// this host's LAN address, a TFTP root, catalog images with local files, a WIM and a mirror over HTTP.
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkBmcs } from '../../cli/doctor/bmc-checks.js';
import { checkPxe, tftpFiles } from '../../cli/doctor/boot-checks.js';
import { checkChat } from '../../cli/doctor/chat-checks.js';
import type { CheckResult } from '../../cli/doctor/check.js';
import { checkImages } from '../../cli/doctor/image-checks.js';
import { loadConfig } from '../../core/config/index.js';
import { startTestBootServer, type TestBootServer } from '../boot-server/helpers/boot-server-fixture.js';
import { type FakeDiscord, startFakeDiscord } from '../support/fake-discord/index.js';
import { startFakeRedfish } from '../support/fake-redfish/fake-redfish.js';
import { type FakeSlack, startFakeSlack } from '../support/fake-slack/index.js';
import { freePort } from '../support/free-port.js';
import { writeWimFile } from '../support/wim-file.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const lan = Object.values(networkInterfaces())
  .flat()
  .find((a) => a?.family === 'IPv4' && !a.internal)?.address;

const work = mkdtempSync(join(tmpdir(), 'octofleet-doctor-'));
const artifacts = join(work, 'artifacts');
const tftp = join(work, 'tftp');
const catalog = join(work, 'catalog.yaml');
let t: TestBootServer;
let mirror: Server;
let mirrorUrl = '';
let env: Record<string, string>;

function put(relative: string, content = 'x') {
  mkdirSync(join(artifacts, relative, '..'), { recursive: true });
  writeFileSync(join(artifacts, relative), content);
}

/** Runs `npm run doctor -- --json` as an operator would; answers the exit status and the report. */
function doctor(overrides: Record<string, string> = {}, args = ['--json']) {
  return new Promise<{ code: number; stdout: string }>((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', 'cli/doctor.ts', ...args],
      {
        cwd: ROOT,
        env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env, ...overrides },
        timeout: 60_000,
      },
      (error, stdout) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout }),
    );
  });
}

const byId = (results: CheckResult[], id: string) => results.find((r) => r.id === id);

beforeAll(async () => {
  mirror = createServer((req, res) => {
    if (req.url === '/vmlinuz') res.writeHead(200, { 'content-length': '5' }).end();
    else res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => mirror.listen(0, '127.0.0.1', resolve));
  mirrorUrl = `http://127.0.0.1:${(mirror.address() as AddressInfo).port}`;
  for (const f of [
    'windows/wimboot',
    'windows/curl.exe',
    'windows/lab/BCD',
    'windows/lab/boot.sdi',
    'windows/lab/boot.wim',
  ])
    put(f);
  writeWimFile(join(artifacts, 'windows/lab/install.wim'), [
    'Lab Server SERVERSTANDARD',
    'Lab Server SERVERDATACENTER',
  ]);
  mkdirSync(tftp);
  for (const f of ['undionly.kpxe', 'ipxe.efi', 'snponly.efi']) writeFileSync(join(tftp, f), 'x');
  writeFileSync(
    catalog,
    `images:
  - id: lab2025
    name: Lab Server
    family: windows
    templates: windows
    boot:
      method: wimboot
      wimboot: windows/wimboot
      bootWim: windows/lab/boot.wim
      bcd: windows/lab/BCD
      bootSdi: windows/lab/boot.sdi
      installWim: windows/lab/install.wim
      files: [{ name: curl.exe, url: windows/curl.exe }]
    defaultEdition: standard
    editions:
      standard: { imageName: Lab Server SERVERSTANDARD }
      datacenter: { imageName: Lab Server SERVERDATACENTER }
  - id: netlinux
    name: Net Linux
    family: linux
    boot: { method: linux, kernel: "${mirrorUrl}/vmlinuz", initrd: [], cmdline: "console=ttyS0" }
`,
  );
  const bootPort = String(await freePort());
  env = {
    DATABASE_URL: '',
    REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
    ARTIFACTS_DIR: artifacts,
    CATALOG_PATH: catalog,
    BOOT_PORT: bootPort,
    PUBLIC_BOOT_URL: `http://${lan ?? '127.0.0.1'}:${bootPort}`,
    PXE_SUBNET: '10.99.0.0',
    PXE_SERVER_ADDRESS: '10.99.0.1',
    PXE_TFTP_ROOT: tftp,
  };
  // The boot server listens on every address, as in production, so the LAN address answers /healthz.
  t = await startTestBootServer({ ...env, BOOT_HOST: '0.0.0.0' });
  env.DATABASE_URL = t.core.config.DATABASE_URL;
}, 60_000);

afterAll(async () => {
  await t?.close();
  mirror?.close();
  rmSync(work, { recursive: true, force: true });
});

describe('npm run doctor', () => {
  it.skipIf(!lan)('passes on a healthy installation: exit 0, nothing ❌', { timeout: 60_000 }, async () => {
    const { code, stdout } = await doctor();
    const report = JSON.parse(stdout) as { ok: boolean; checks: CheckResult[] };
    expect(report.checks.filter((c) => c.status === 'fail')).toEqual([]);
    expect(code).toBe(0);
    expect(report.ok).toBe(true);
    expect(report.checks.map((c) => c.id)).toEqual(
      expect.arrayContaining([
        'postgres',
        'schema',
        'redis',
        'boot-url',
        'boot-healthz',
        'pxe-config',
        'tftp',
        'image:lab2025',
        'image:netlinux',
        'chat',
        'bmc',
      ]),
    );
    expect(byId(report.checks, 'boot-healthz')?.detail).toContain(
      `${env.PUBLIC_BOOT_URL}/healthz answers 200`,
    );
  });

  it('fails with ❌ and the command to start Redis when Redis does not answer', {
    timeout: 60_000,
  }, async () => {
    const closed = await freePort();
    const { code, stdout } = await doctor({ REDIS_URL: `redis://127.0.0.1:${closed}` }, []);
    expect(code).toBe(1);
    const lines = stdout.split('\n');
    const at = lines.findIndex((l) => l.startsWith('❌ Redis'));
    expect(lines[at]).toContain(`cannot connect to redis://127.0.0.1:${closed}`);
    expect(lines[at + 1]).toContain("'redis-server --daemonize yes --bind 127.0.0.1 --port 6379'");
  });

  it('names a catalog image’s missing install.wim', async () => {
    const config = loadConfig(env);
    unlinkSync(join(artifacts, 'windows/lab/install.wim'));
    try {
      const results = await checkImages({ config, timeoutMs: 5000 });
      expect(byId(results, 'image:lab2025')).toMatchObject({
        status: 'fail',
        detail: expect.stringMatching(/^install\.wim \S*windows\/lab\/install\.wim does not exist$/),
        fix: expect.stringContaining('ARTIFACTS_DIR'),
      });
    } finally {
      writeWimFile(join(artifacts, 'windows/lab/install.wim'), [
        'Lab Server SERVERSTANDARD',
        'Lab Server SERVERDATACENTER',
      ]);
    }
  });

  it('names an edition whose image name install.wim does not hold', async () => {
    const config = loadConfig(env);
    writeWimFile(join(artifacts, 'windows/lab/install.wim'), ['Lab Server SERVERSTANDARD']);
    try {
      const results = await checkImages({ config, timeoutMs: 5000 });
      expect(byId(results, 'image:lab2025')?.status).toBe('fail');
      expect(byId(results, 'image:lab2025')?.detail).toContain(
        'has no image named "Lab Server SERVERDATACENTER" (edition datacenter); it holds: "Lab Server SERVERSTANDARD"',
      );
    } finally {
      writeWimFile(join(artifacts, 'windows/lab/install.wim'), [
        'Lab Server SERVERSTANDARD',
        'Lab Server SERVERDATACENTER',
      ]);
    }
  });

  it('names a remote kernel URL that answers 404', async () => {
    const kernel = `${mirrorUrl}/gone/vmlinuz`;
    await t.core.deployments.images().create({
      id: 'gonelinux',
      name: 'Gone Linux',
      family: 'linux',
      boot: { method: 'linux', kernel, initrd: [], cmdline: '' },
    });
    try {
      const results = await checkImages({ config: loadConfig(env), timeoutMs: 5000 });
      expect(byId(results, 'image:gonelinux')).toMatchObject({
        status: 'fail',
        detail: `kernel ${kernel} answers HTTP 404`,
      });
      expect(byId(results, 'image:netlinux')?.status).toBe('ok');
    } finally {
      await t.core.deployments.images().delete('gonelinux');
    }
  });
});

describe('doctor chat checks, against the fake Slack', () => {
  let slack: FakeSlack;
  beforeAll(async () => {
    slack = await startFakeSlack({
      channels: [
        { id: 'C0DEPLOYS01', name: 'deploys' },
        { id: 'C0ELSEWHERE', name: 'elsewhere', botIsMember: false },
      ],
    });
  });
  afterAll(() => slack?.close());
  const slackEnv = (overrides: Record<string, string>) =>
    loadConfig({
      SLACK_API_URL: slack.apiUrl,
      SLACK_SIGNING_SECRET: 's',
      SLACK_BOT_TOKEN: slack.botToken,
      ...overrides,
    });

  it('accepts a valid token and a channel the bot is in', async () => {
    const results = await checkChat({
      config: slackEnv({ SLACK_CHANNEL_ID: 'C0DEPLOYS01' }),
      timeoutMs: 5000,
    });
    expect(results.map((r) => [r.id, r.status])).toEqual([
      ['chat:slack', 'ok'],
      ['chat:slack-channel', 'ok'],
    ]);
  });

  it('fails on a refused token, and on a channel the bot is not in, with the fix', async () => {
    const bad = await checkChat({ config: slackEnv({ SLACK_BOT_TOKEN: 'xoxb-wrong' }), timeoutMs: 5000 });
    expect(bad).toEqual([
      expect.objectContaining({
        id: 'chat:slack',
        status: 'fail',
        detail: 'SLACK_BOT_TOKEN was refused (invalid_auth)',
      }),
    ]);
    const away = await checkChat({ config: slackEnv({ SLACK_CHANNEL_ID: 'C0ELSEWHERE' }), timeoutMs: 5000 });
    expect(away[1]).toMatchObject({
      status: 'fail',
      detail: 'the bot is not in #elsewhere',
      fix: 'invite it: /invite @octofleet in that channel',
    });
  });
});

describe('doctor chat checks, against the fake Discord', () => {
  let discord: FakeDiscord;
  beforeAll(async () => {
    discord = await startFakeDiscord();
  });
  afterAll(() => discord?.close());
  const discordEnv = (overrides: Record<string, string>) =>
    loadConfig({ DISCORD_API_BASE: discord.apiBase, DISCORD_TOKEN: discord.token, ...overrides });

  it('accepts a valid token and a channel the bot sees; fails on a refused token or an unknown channel', async () => {
    const good = await checkChat({
      config: discordEnv({ DISCORD_CHANNEL_ID: discord.channelId('deploys') }),
      timeoutMs: 5000,
    });
    expect(good.map((r) => [r.id, r.status])).toEqual([
      ['chat:discord', 'ok'],
      ['chat:discord-channel', 'ok'],
    ]);
    const bad = await checkChat({ config: discordEnv({ DISCORD_TOKEN: 'not-the-token' }), timeoutMs: 5000 });
    expect(bad).toEqual([
      expect.objectContaining({
        id: 'chat:discord',
        status: 'fail',
        detail: 'DISCORD_TOKEN was refused (HTTP 401)',
      }),
    ]);
    const unknown = await checkChat({
      config: discordEnv({ DISCORD_CHANNEL_ID: '123456789012345678' }),
      timeoutMs: 5000,
    });
    expect(unknown[1]).toMatchObject({
      id: 'chat:discord-channel',
      status: 'fail',
      detail: expect.stringMatching(/^123456789012345678: HTTP 404/),
    });
  });
});

describe('doctor PXE checks', () => {
  it('names the TFTP files that are missing, and the command that puts them there', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'octofleet-tftp-'));
    writeFileSync(join(empty, 'undionly.kpxe'), 'x');
    try {
      const results = await checkPxe({
        config: loadConfig({ ...env, PXE_TFTP_ROOT: empty }),
        timeoutMs: 5000,
      });
      expect(byId(results, 'pxe-config')?.status).toBe('ok');
      expect(byId(results, 'tftp')).toMatchObject({
        status: 'fail',
        detail: `${empty}: ipxe.efi is missing, snponly.efi is missing`,
        fix: expect.stringContaining('npm run pxe:config -- --tftp'),
      });
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });

  it('asks for shim and the signed GRUB in Secure Boot mode', () => {
    expect(tftpFiles('shimx64.efi')).toEqual([
      'undionly.kpxe',
      'ipxe.efi',
      'snponly.efi',
      'shimx64.efi',
      'grubx64.efi',
      'grub/grub.cfg',
    ]);
    expect(tftpFiles('ipxe.efi')).toEqual(['undionly.kpxe', 'ipxe.efi', 'snponly.efi']);
  });
});

describe('doctor BMC check, against the fake Redfish BMC', () => {
  it('reads the power of each inventory BMC, and names the one whose credentials fail', async () => {
    const bmc = await startFakeRedfish({ password: 'Right-Pa55word' });
    const machine = (mac: string, password: string) => ({
      mac,
      bmc: { driver: 'redfish', address: bmc.url, username: 'root', password },
    });
    try {
      await t.core.machines.put('rack-ok', machine('52:54:00:dd:00:01', 'Right-Pa55word'));
      await t.core.machines.put('rack-bad', machine('52:54:00:dd:00:02', 'Wrong-Pa55word'));
      await t.core.machines.put('rack-manual', { mac: '52:54:00:dd:00:03', bmc: { driver: 'manual' } });
      const results = await checkBmcs({ config: t.core.config, timeoutMs: 5000 });
      expect(results.map((r) => [r.id, r.status])).toEqual([
        ['bmc:rack-bad', 'fail'],
        ['bmc:rack-ok', 'ok'],
      ]);
      expect(byId(results, 'bmc:rack-ok')?.detail).toBe(`Redfish at ${bmc.url}: power off`);
      expect(byId(results, 'bmc:rack-bad')).toMatchObject({
        detail: expect.stringMatching(/^redfish at \S+: bmc:auth: /),
        fix: expect.stringContaining('npm run power -- rack-bad status'),
      });
      expect(JSON.stringify(results)).not.toContain('Pa55word');
    } finally {
      for (const name of ['rack-ok', 'rack-bad', 'rack-manual'])
        await t.core.machines.remove(name).catch(() => {});
      await bmc.close();
    }
  });
});

import { existsSync, lstatSync, readFileSync, readlinkSync, statSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { verify } from 'unixcrypt';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type HttpFixture, startHttpFixture } from '../../support/pxe/http-fixture.js';
import { linuxContext, PASSWORD, renderArtifact, tokenFor } from './linux-render.js';
import { preseedMap } from './preseed.js';
import { disposeTestShells, runArgv, testShells } from './run-command.js';

const value = (text: string, question: string) => {
  const answer = preseedMap(text).get(question);
  if (!answer) throw new Error(`${question} is not answered`);
  return answer.value;
};

describe('debian12 preseed.cfg', () => {
  it('answers the installer with the settings, the password only as a SHA-512 crypt hash', () => {
    const text = renderArtifact(
      linuxContext({
        os: 'debian12',
        hostname: 'web-01',
        env: {
          LINUX_USERNAME: 'admin2',
          LINUX_LOCALE: 'de_DE.UTF-8',
          LINUX_KEYBOARD: 'de',
          LINUX_TIMEZONE: 'Europe/Berlin',
        },
      }),
      'preseed.cfg',
    );
    expect(value(text, 'debian-installer/locale')).toBe('de_DE.UTF-8');
    expect(value(text, 'keyboard-configuration/xkb-keymap')).toBe('de');
    expect(value(text, 'time/zone')).toBe('Europe/Berlin');
    expect(value(text, 'netcfg/hostname')).toBe('web-01');
    expect(value(text, 'passwd/username')).toBe('admin2');
    expect(value(text, 'passwd/root-login')).toBe('false');
    expect(value(text, 'mirror/http/hostname')).toBe('deb.debian.org');
    expect(value(text, 'tasksel/first')).toBe('standard, ssh-server');
    const hash = value(text, 'passwd/user-password-crypted');
    expect(hash).toMatch(/^\$6\$/);
    expect(verify(PASSWORD, hash)).toBe(true);
    expect(text).not.toContain(PASSWORD);
    expect(preseedMap(text).has('passwd/user-password')).toBe(false);
  });

  it.each([
    ['lvm', 'lvm'],
    ['direct', 'regular'],
  ])('partitions automatically: storage layout %s is partman method %s', (layout, method) => {
    const text = renderArtifact(
      linuxContext({ os: 'debian12', env: { LINUX_STORAGE_LAYOUT: layout } }),
      'preseed.cfg',
    );
    expect(value(text, 'partman-auto/method')).toBe(method);
    expect(value(text, 'partman/confirm_nooverwrite')).toBe('true');
    // The disk comes from the disk selector, never from "the first disk".
    const early = value(text, 'partman/early_command');
    expect(early).not.toContain('list-devices disk');
    expect(early).toContain(
      'disk=$(sh /tmp/octofleet-disk-select.sh) && debconf-set partman-auto/disk "$disk" && debconf-set grub-installer/bootdev "$disk"',
    );
  });
});

afterAll(disposeTestShells);

// The commands run for real, with /bin/sh everywhere and with busybox sh and busybox wget (what the
// installer has) where installed, against an HTTP server standing in for the boot server.
describe.each(testShells())('debian12 progress commands ($name)', (shell) => {
  const id = 61;
  const cb = `/cb/${tokenFor(id)}`;
  let server: HttpFixture;
  let preseed: string;
  let lateScript: string;
  const scratch: string[] = [];

  beforeAll(async () => {
    const routes: Parameters<typeof startHttpFixture>[0] = { [cb]: { text: 'ok\n' } };
    server = await startHttpFixture(routes);
    const context = linuxContext({
      os: 'debian12',
      id,
      env: {
        PUBLIC_BOOT_URL: `http://127.0.0.1:${server.port}`,
        LINUX_SSH_AUTHORIZED_KEYS: 'ssh-ed25519 AAAAC3Nza alice',
      },
    });
    preseed = renderArtifact(context, 'preseed.cfg');
    lateScript = renderArtifact(context, 'late-command.sh');
    routes[`/d/${tokenFor(id)}/late-command.sh`] = { text: lateScript };
  });
  afterEach(async () => {
    for (const dir of scratch.splice(0)) await rm(dir, { recursive: true, force: true });
  });
  afterAll(async () => {
    await server?.close();
    await rm('/tmp/octofleet-late-command.sh', { force: true });
  });

  const ash = (script: string, ...args: string[]) =>
    runArgv([...shell.argv, '-c', script, 'sh', ...args], { env: { PATH: shell.PATH } });
  const posts = (from: number) =>
    server.requests
      .slice(from)
      .map((r) =>
        r.method === 'POST' ? Object.fromEntries(new URLSearchParams(r.body)) : `${r.method} ${r.url}`,
      );

  it('preseed/early_command posts early_command', async () => {
    const before = server.requests.length;
    const result = await ash(value(preseed, 'preseed/early_command'));
    expect(result, result.stderr).toMatchObject({ code: 0 });
    expect(posts(before)).toEqual([
      { status: 'early_command', progress: '5', message: 'Debian installer started' },
    ]);
    expect(server.requests.at(-1)!.url).toBe(cb);
  });

  it('preseed/late_command posts late_command, runs late-command.sh and reports its failure (here: no /target)', async () => {
    expect(existsSync('/target/etc/passwd'), 'this machine has a /target; the test needs it absent').toBe(
      false,
    );
    const before = server.requests.length;
    const result = await ash(value(preseed, 'preseed/late_command'));
    // The installer must never stop at a prompt over a report: the command succeeds either way.
    expect(result.code).toBe(0);
    expect(result.stderr).toContain('late-command.sh: /target/etc/passwd is missing');
    expect(posts(before)).toEqual([
      { status: 'late_command', progress: '90', message: 'Debian installed, rebooting into it' },
      `GET /d/${tokenFor(id)}/late-command.sh`,
      { status: 'failed', message: 'late-command.sh failed, see /var/log/syslog of the installer' },
    ]);
  });

  /** A target root as d-i leaves it before late_command: the user exists, owned by whoever runs the test. */
  async function fakeTarget(user = 'octofleet') {
    const root = await mkdtemp(join(tmpdir(), 'octofleet-target-'));
    scratch.push(root);
    await mkdir(join(root, 'etc'), { recursive: true });
    await mkdir(join(root, 'home', user), { recursive: true });
    const uid = process.getuid?.() ?? 0;
    const gid = process.getgid?.() ?? 0;
    await writeFile(
      join(root, 'etc/passwd'),
      `root:x:0:0:root:/root:/bin/bash\n${user}:x:${uid}:${gid}:${user}:/home/${user}:/bin/bash\n`,
    );
    return root;
  }

  it('late-command.sh installs the keys, turns password logins off and enables the first-boot unit', async () => {
    const root = await fakeTarget();
    const script = join(root, 'late.sh');
    await writeFile(script, lateScript);
    const result = await runArgv([...shell.argv, script, root], { env: { PATH: shell.PATH } });
    expect(result, result.stderr).toMatchObject({ code: 0 });

    const ssh = join(root, 'home/octofleet/.ssh');
    expect(readFileSync(join(ssh, 'authorized_keys'), 'utf8')).toBe('ssh-ed25519 AAAAC3Nza alice\n');
    expect(statSync(ssh).mode & 0o777).toBe(0o700);
    expect(statSync(join(ssh, 'authorized_keys')).mode & 0o777).toBe(0o600);
    expect(readFileSync(join(root, 'etc/ssh/sshd_config.d/10-octofleet.conf'), 'utf8')).toMatch(
      /^PasswordAuthentication no$/m,
    );
    const unit = readFileSync(join(root, 'etc/systemd/system/octofleet-first-boot.service'), 'utf8');
    expect(unit).toMatch(/^ConditionPathExists=\/var\/lib\/octofleet\/callback-url$/m);
    expect(unit).toMatch(
      /^ExecStart=\/usr\/local\/sbin\/octofleet-first-boot \/var\/lib\/octofleet\/callback-url$/m,
    );
    const wants = join(root, 'etc/systemd/system/multi-user.target.wants/octofleet-first-boot.service');
    expect(lstatSync(wants).isSymbolicLink()).toBe(true);
    expect(readlinkSync(wants)).toBe('../octofleet-first-boot.service');
    expect(readFileSync(join(root, 'var/lib/octofleet/callback-url'), 'utf8')).toBe(
      `http://127.0.0.1:${server.port}${cb}\n`,
    );
    expect(statSync(join(root, 'usr/local/sbin/octofleet-first-boot')).mode & 0o111).not.toBe(0);
  });

  it('the first-boot script posts first_boot and done, then removes its start condition', async () => {
    const root = await fakeTarget();
    const script = join(root, 'late.sh');
    await writeFile(script, lateScript);
    expect((await runArgv([...shell.argv, script, root], { env: { PATH: shell.PATH } })).code).toBe(0);
    const before = server.requests.length;
    // On the installed system: /bin/sh (dash here, as on Debian) and wget.
    const callbackFile = join(root, 'var/lib/octofleet/callback-url');
    const result = await runArgv(
      ['/bin/sh', join(root, 'usr/local/sbin/octofleet-first-boot'), callbackFile],
      {
        env: { PATH: shell.PATH },
      },
    );
    expect(result, result.stderr).toMatchObject({ code: 0 });
    expect(posts(before)).toEqual([
      { status: 'first_boot', progress: '95', message: 'Debian first boot' },
      { status: 'done', progress: '100', message: 'Debian is up' },
    ]);
    expect(existsSync(callbackFile)).toBe(false);
  });

  it('late-command.sh fails, changing nothing, when the user is missing from the target', async () => {
    const root = await fakeTarget('someone-else');
    const script = join(root, 'late.sh');
    await writeFile(script, lateScript);
    const result = await runArgv([...shell.argv, script, root], { env: { PATH: shell.PATH } });
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('late-command.sh: no user octofleet in');
    expect(existsSync(join(root, 'etc/systemd'))).toBe(false);
  });
});

import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { validateDeployRequest } from '../../../core/deployments/deploy-request.js';
import { ValidationError } from '../../../core/errors.js';
import type { OsImage } from '../../../core/images/os-image.entity.js';
import type { RenderContext } from '../../../core/render/render-context.js';
import { TemplateError } from '../../../core/render/template-engine.js';
import { catalog, linuxContext, renderArtifact, renderCmdline } from './linux-render.js';
import { parsePreseed } from './preseed.js';
import { disposeTestShells, runArgv, testShells } from './run-command.js';

// Values that would change a YAML document, a preseed file, a shell script or a kernel command line if
// pasted raw. Each must be refused (at the door, or by the render) or come out of the file unchanged.
const HOSTILE = [
  'web\n01',
  'web\nd-i passwd/root-login boolean true',
  'a: b',
  '- item',
  '{{x}}',
  '#web',
  "o'neil",
  'we"b',
  'web 01',
  'web\\',
  '$(touch PWNED)',
  '`touch PWNED`',
  "'; touch PWNED; '",
  'web;reboot',
  '&anchor *alias !tag |',
  'x'.repeat(64),
];

/** The document's shape: keys, list lengths and leaf types, without the values. */
function shape(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(shape);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, shape(v)]));
  }
  return typeof value;
}

/** Either the render refuses (a 500 for the machine, never a broken file) or its result is returned. */
function renderOrRefuse(context: RenderContext, artifact: string): string | null {
  try {
    return renderArtifact(context, artifact);
  } catch (error) {
    expect(error).toBeInstanceOf(TemplateError);
    return null;
  }
}

// The shell injection tests run with /bin/sh everywhere and with busybox sh (d-i's) where installed.
const shells = testShells();
afterAll(disposeTestShells);

const questions = (text: string) => parsePreseed(text).map((a) => `${a.owner} ${a.question} ${a.type}`);

describe('hostile hostnames', () => {
  const findImage = async (id: string) => (catalog[id] as unknown as OsImage) ?? null;
  const listIds = async () => Object.keys(catalog);

  it.each(HOSTILE)('%j is refused at the door', async (hostname) => {
    for (const os of ['ubuntu2404', 'debian12']) {
      await expect(
        validateDeployRequest({ mac: '52:54:00:12:34:56', os, hostname }, findImage, listIds),
      ).rejects.toBeInstanceOf(ValidationError);
    }
  });

  // The second line of defence, should a value ever get past validation.
  it.each(HOSTILE)(
    '%j past the door still cannot change user-data, meta-data, preseed or the command line',
    (hostname) => {
      const benignUbuntu = linuxContext({ os: 'ubuntu2404' });
      const ubuntu = linuxContext({ os: 'ubuntu2404', hostname });
      const userData = parse(renderArtifact(ubuntu, 'user-data'));
      expect(shape(userData)).toEqual(shape(parse(renderArtifact(benignUbuntu, 'user-data'))));
      expect(userData.autoinstall.identity.hostname).toBe(hostname);
      expect(parse(renderArtifact(ubuntu, 'meta-data'))['local-hostname']).toBe(hostname);

      const debian = linuxContext({ os: 'debian12', hostname });
      const preseed = renderOrRefuse(debian, 'preseed.cfg');
      if (preseed !== null) {
        expect(questions(preseed)).toEqual(
          questions(renderArtifact(linuxContext({ os: 'debian12' }), 'preseed.cfg')),
        );
        expect(parsePreseed(preseed).find((a) => a.question === 'netcfg/hostname')?.value).toBe(hostname);
      }
      for (const context of [ubuntu, debian]) {
        let cmdline: string | null = null;
        try {
          cmdline = renderCmdline(context);
        } catch (error) {
          expect(error).toBeInstanceOf(TemplateError);
        }
        if (cmdline !== null)
          expect(cmdline.split(' ')).toHaveLength(
            renderCmdline(linuxContext({ os: context.image.id as 'debian12' })).split(' ').length,
          );
      }
    },
  );
});

// Settings are forced into the context past config validation (which may refuse them first): these tests
// prove what happens should a value get through anyway.
const SETTING = {
  LINUX_USERNAME: 'username',
  LINUX_TIMEZONE: 'timezone',
  LINUX_LOCALE: 'locale',
  LINUX_KEYBOARD: 'keyboard',
} as const;

describe('hostile settings (LINUX_USERNAME, LINUX_TIMEZONE, LINUX_LOCALE, LINUX_KEYBOARD)', () => {
  const scratch: string[] = [];
  afterEach(async () => {
    for (const dir of scratch.splice(0)) await rm(dir, { recursive: true, force: true });
  });

  it.each(HOSTILE)('%j keeps its place in user-data', (bad) => {
    for (const variable of ['LINUX_USERNAME', 'LINUX_TIMEZONE', 'LINUX_LOCALE', 'LINUX_KEYBOARD']) {
      const doc = parse(
        renderArtifact(
          linuxContext({ os: 'ubuntu2204', settings: { [SETTING[variable as keyof typeof SETTING]]: bad } }),
          'user-data',
        ),
      );
      expect(shape(doc)).toEqual(
        shape(parse(renderArtifact(linuxContext({ os: 'ubuntu2204' }), 'user-data'))),
      );
      const { autoinstall } = doc;
      const got = {
        LINUX_USERNAME: autoinstall.identity.username,
        LINUX_TIMEZONE: autoinstall.timezone,
        LINUX_LOCALE: autoinstall.locale,
        LINUX_KEYBOARD: autoinstall.keyboard.layout,
      };
      expect(got[variable as keyof typeof got]).toBe(bad);
    }
  });

  it.each(HOSTILE)('%j is refused by preseed.cfg or stays one answer', (bad) => {
    const benign = questions(renderArtifact(linuxContext({ os: 'debian12' }), 'preseed.cfg'));
    for (const variable of ['LINUX_USERNAME', 'LINUX_TIMEZONE', 'LINUX_LOCALE', 'LINUX_KEYBOARD']) {
      const preseed = renderOrRefuse(
        linuxContext({ os: 'debian12', settings: { [SETTING[variable as keyof typeof SETTING]]: bad } }),
        'preseed.cfg',
      );
      if (preseed === null) continue;
      expect(questions(preseed)).toEqual(benign);
      expect(preseed.split('\n').filter((line) => line.endsWith(` ${bad}`)).length).toBeGreaterThan(0);
    }
  });

  it.each(HOSTILE)('username %j reaches late-command.sh as one sh word, running nothing', async (user) => {
    for (const shell of shells) {
      const root = await mkdtemp(join(tmpdir(), 'octofleet-hostile-'));
      scratch.push(root);
      await mkdir(join(root, 'etc'));
      await writeFile(join(root, 'etc/passwd'), 'root:x:0:0:root:/root:/bin/bash\n');
      await writeFile(
        join(root, 'late.sh'),
        renderArtifact(linuxContext({ os: 'debian12', settings: { username: user } }), 'late-command.sh'),
      );
      const result = await runArgv([...shell.argv, join(root, 'late.sh'), root], { cwd: root });
      expect(result.code, shell.name).toBe(1);
      // The script looked the exact name up, and failed on it rather than on a broken line.
      expect(result.stderr, shell.name).toBe(`late-command.sh: no user ${user} in ${root}/etc/passwd\n`);
      expect(readdirSync(root).sort(), shell.name).toEqual(['etc', 'late.sh']);
    }
  });
});

describe('hostile SSH keys (LINUX_SSH_AUTHORIZED_KEYS)', () => {
  const keys = [
    "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGq9 it's me",
    'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGq9 $(touch PWNED) `touch PWNED` ${HOME}',
    'from="10.0.0.1",no-pty ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGq9 "quoted" #comment {{x}} : y',
    'ssh-rsa AAAAB3NzaC1yc2E -: [a, b] &anchor *alias !tag | > % @ ',
    'ssh-rsa AAAAB3NzaC1yc2E back\\slash\\',
    'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGq9 carriage\rreturn',
    "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGq9 '; touch PWNED; echo '",
  ];
  // Forced past config validation, like the settings above; one key per line is what the config's split
  // guarantees (its own test below), so none of these holds a line feed.
  const settings = { sshAuthorizedKeys: keys };
  const expected = keys;

  it('arrive in user-data one key per item, unchanged', () => {
    const { autoinstall } = parse(renderArtifact(linuxContext({ os: 'ubuntu2404', settings }), 'user-data'));
    expect(autoinstall.ssh['authorized-keys']).toEqual(expected);
  });

  it('are not in preseed.cfg at all (late-command.sh carries them)', () => {
    const preseed = renderArtifact(linuxContext({ os: 'debian12', settings }), 'preseed.cfg');
    expect(preseed).not.toContain('AAAAC3NzaC1lZDI1NTE5');
  });

  it('arrive in authorized_keys through late-command.sh unchanged, running nothing', async () => {
    for (const shell of shells) {
      const root = await mkdtemp(join(tmpdir(), 'octofleet-hostile-'));
      try {
        await mkdir(join(root, 'etc'));
        await mkdir(join(root, 'home/octofleet'), { recursive: true });
        await writeFile(
          join(root, 'etc/passwd'),
          `octofleet:x:${process.getuid?.() ?? 0}:${process.getgid?.() ?? 0}::/home/octofleet:/bin/sh\n`,
        );
        await writeFile(
          join(root, 'late.sh'),
          renderArtifact(linuxContext({ os: 'debian12', settings }), 'late-command.sh'),
        );
        const result = await runArgv([...shell.argv, join(root, 'late.sh'), root], { cwd: root });
        expect(result, `${shell.name}: ${result.stderr}`).toMatchObject({ code: 0 });
        expect(readFileSync(join(root, 'home/octofleet/.ssh/authorized_keys'), 'utf8'), shell.name).toBe(
          `${expected.join('\n')}\n`,
        );
        expect(existsSync(join(root, 'PWNED')), shell.name).toBe(false);
      } finally {
        await rm(root, { recursive: true, force: true });
      }
    }
  });

  it('come from LINUX_SSH_AUTHORIZED_KEYS one per line, whatever the line endings and blank lines', () => {
    const raw = ["ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGq9 it's me", 'ssh-rsa AAAAB3NzaC1yc2E ops@site'];
    const env = { LINUX_SSH_AUTHORIZED_KEYS: `\r\n  ${raw[0]}  \r\n\r\n${raw[1]}\n\n` };
    expect(linuxContext({ os: 'debian12', env }).settings.linux.sshAuthorizedKeys).toEqual(raw);
    const { autoinstall } = parse(renderArtifact(linuxContext({ os: 'ubuntu2404', env }), 'user-data'));
    expect(autoinstall.ssh['authorized-keys']).toEqual(raw);
  });

  it('a line feed inside a key (which the config cannot produce) still stays one YAML item', () => {
    const sshAuthorizedKeys = ['ssh-ed25519 AAAA a\n  - injected: true'];
    const { autoinstall } = parse(
      renderArtifact(linuxContext({ os: 'ubuntu2404', settings: { sshAuthorizedKeys } }), 'user-data'),
    );
    expect(autoinstall.ssh['authorized-keys']).toEqual(sshAuthorizedKeys);
  });
});

import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  type LinuxCase,
  linuxContext,
  PASSWORD,
  renderArtifact,
  renderCmdline,
  stableText,
} from './linux-render.js';

// Rendered Linux artifacts against files in golden/<case>/. `UPDATE_GOLDEN=1 npx vitest run
// test/templates/linux` rewrites them; review the diff before committing.
const GOLDEN_DIR = fileURLToPath(new URL('./golden', import.meta.url));
const UPDATE = process.env.UPDATE_GOLDEN === '1';

const KEYS = [
  'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGq9a5tV1m7wZq0Jm1H3i6QkQJ8cY3kP0n5v2xXyZb7e alice@laptop',
  'ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQC7 ops-team',
].join('\n');

const UBUNTU = ['user-data', 'meta-data', 'vendor-data', 'disk-select.sh'];
const DEBIAN = ['preseed.cfg', 'late-command.sh', 'disk-select.sh'];

const CASES: { name: string; linux: LinuxCase; artifacts: string[] }[] = [
  {
    name: 'ubuntu2404-lvm-keys',
    linux: { os: 'ubuntu2404', env: { LINUX_SSH_AUTHORIZED_KEYS: KEYS } },
    artifacts: UBUNTU,
  },
  {
    name: 'ubuntu2204-direct-no-keys',
    linux: {
      os: 'ubuntu2204',
      hostname: 'db-7',
      id: 7,
      env: {
        LINUX_STORAGE_LAYOUT: 'direct',
        LINUX_USERNAME: 'ops',
        LINUX_LOCALE: 'en_US.UTF-8',
        LINUX_KEYBOARD: 'us',
        LINUX_TIMEZONE: 'America/New_York',
      },
    },
    artifacts: UBUNTU,
  },
  {
    name: 'debian12-lvm-keys',
    linux: { os: 'debian12', env: { LINUX_SSH_AUTHORIZED_KEYS: KEYS } },
    artifacts: DEBIAN,
  },
  {
    name: 'debian12-direct-no-keys',
    linux: {
      os: 'debian12',
      hostname: 'db-7',
      id: 7,
      env: { LINUX_STORAGE_LAYOUT: 'direct', LINUX_USERNAME: 'ops' },
    },
    artifacts: DEBIAN,
  },
  {
    name: 'debian12-serial-disk-ttys1',
    linux: { os: 'debian12', disk: 'serial:S3Z9NB0K123456', env: { LINUX_SERIAL_CONSOLE: 'ttyS1,115200n8' } },
    artifacts: DEBIAN,
  },
  {
    name: 'ubuntu2404-size-disk',
    linux: { os: 'ubuntu2404', disk: 'size:200-1000' },
    artifacts: UBUNTU,
  },
];

function golden(caseName: string, file: string, actual: string) {
  const path = join(GOLDEN_DIR, caseName, file);
  if (UPDATE) {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, actual);
    return;
  }
  if (!existsSync(path)) throw new Error(`missing golden file ${path}; run with UPDATE_GOLDEN=1`);
  expect(actual, `${caseName}/${file} differs from its golden file (UPDATE_GOLDEN=1 rewrites)`).toBe(
    readFileSync(path, 'utf8'),
  );
}

describe('Linux artifacts match their golden files', () => {
  for (const { name, linux, artifacts } of CASES) {
    describe(name, () => {
      const context = linuxContext(linux);
      it.each(artifacts)('%s', (artifact) => {
        golden(name, artifact, stableText(renderArtifact(context, artifact), linux.password ?? PASSWORD));
      });
      it('kernel command line', () => {
        golden(name, 'cmdline.txt', `${renderCmdline(context)}\n`);
      });
    });
  }
});

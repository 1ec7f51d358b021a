import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The repository root (this file is test/support/tools/debian-packages.ts). */
export const REPO_ROOT = join(import.meta.dirname, '../../..');

/** The one list of Debian packages the suites need: the `packages=( … )` array of this script. */
export const INSTALL_SCRIPT = '.ci/install-packages.sh';

/** The one command that installs every package a suite may need; named in every skip message. */
export const ENABLE_COMMAND = `sudo bash ${INSTALL_SCRIPT}`;

/**
 * Package names from the `packages=(` array of .ci/install-packages.sh, one per line with an optional
 * `# why` comment. Reading the script itself (rather than a copy) keeps one list: engineers add a line
 * there and both CI and `npm test` see it.
 */
export function listedPackages(script = readFileSync(join(REPO_ROOT, INSTALL_SCRIPT), 'utf8')): string[] {
  const body = /^packages=\(\n([\s\S]*?)^\)/m.exec(script)?.[1];
  if (body === undefined) throw new Error(`${INSTALL_SCRIPT} has no packages=( … ) array`);
  return body
    .split('\n')
    .map((line) => line.replace(/#.*/, '').trim())
    .filter(Boolean);
}

/**
 * Packages to treat as absent even when installed, comma-separated: proves the skip and /bin/sh paths on
 * a machine that has everything (`OCTOFLEET_TEST_HIDE_PACKAGES=busybox-static npx vitest run …`).
 * Hidden packages are never installed either.
 */
export function hiddenPackages(env = process.env): string[] {
  return (env.OCTOFLEET_TEST_HIDE_PACKAGES ?? '')
    .split(',')
    .map((name) => name.trim())
    .filter(Boolean);
}

/** Which of `names` dpkg does not report as "install ok installed" (all of them where there is no dpkg). */
export function missingPackages(names: string[]): string[] {
  const hidden = new Set(hiddenPackages());
  if (names.length === 0) return [];
  const result = spawnSync('dpkg-query', ['-W', '-f=${Package} ${Status}\\n', ...names], {
    encoding: 'utf8',
  });
  const installed = new Set(
    (result.stdout ?? '')
      .split('\n')
      .filter((line) => line.endsWith(' install ok installed'))
      .map((line) => line.split(' ')[0]),
  );
  return names.filter((name) => hidden.has(name) || !installed.has(name));
}

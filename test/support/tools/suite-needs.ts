import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { isAbsolute, join, relative } from 'node:path';
import { inject } from 'vitest';
import { ENABLE_COMMAND, INSTALL_SCRIPT, listedPackages, REPO_ROOT } from './debian-packages.js';

/** Why one suite skipped, written by the suite and printed once by the global setup's teardown. */
export interface SkipRecord {
  /** Test file, relative to the repository. */
  suite: string;
  reason: string;
  /** The one command that makes the suite run. */
  enable: string;
}

/**
 * Records that `suite` (pass `import.meta.filename`) is skipped, for the summary at the end of the run,
 * and returns the reason for `describe.skipIf`. With CI=true it throws instead: CI must run every suite.
 */
export function recordSkip(suite: string, reason: string, enable: string): string {
  assertSuite(suite);
  const record: SkipRecord = { suite: relative(REPO_ROOT, suite), reason, enable };
  if (process.env.CI) throw new Error(`${record.suite} must run in CI: ${reason}; run: ${enable}`);
  const name = createHash('sha256').update(record.suite).digest('hex').slice(0, 16);
  writeFileSync(join(inject('skipRecordDir'), `${name}.json`), JSON.stringify(record));
  return reason;
}

/**
 * For `describe.skipIf(…)`: undefined when every Debian package in `packages` (names from
 * .ci/install-packages.sh) is installed, else the reason, recorded for the end-of-run summary.
 */
export function skipUnlessInstalled(suite: string, packages: string[]): string | undefined {
  assertSuite(suite);
  const unlisted = packages.filter((name) => !listedPackages().includes(name));
  if (unlisted.length > 0) throw new Error(`add ${unlisted.join(', ')} to the packages of ${INSTALL_SCRIPT}`);
  const missing = packages.filter((name) => inject('missingDebianPackages').includes(name));
  if (missing.length === 0) return undefined;
  return recordSkip(suite, `missing Debian package(s) ${missing.join(', ')}`, ENABLE_COMMAND);
}

/** Whether a Debian package is installed (for suites that run more where it is, e.g. busybox). */
export function isInstalled(pkg: string): boolean {
  return !inject('missingDebianPackages').includes(pkg);
}

/** `suite` must be the test file's `import.meta.filename`, so the summary can name it. */
function assertSuite(suite: string): void {
  if (!isAbsolute(suite) || !suite.endsWith('.ts'))
    throw new Error(`pass the test file's import.meta.filename as the suite, not ${JSON.stringify(suite)}`);
}

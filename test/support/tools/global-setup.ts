import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import {
  ENABLE_COMMAND,
  hiddenPackages,
  INSTALL_SCRIPT,
  listedPackages,
  missingPackages,
  REPO_ROOT,
} from './debian-packages.js';
import type { SkipRecord } from './suite-needs.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Debian packages of .ci/install-packages.sh that are still missing once the run starts. */
    missingDebianPackages: string[];
    /** Where suites record why they skipped, for the one summary at the end of the run. */
    skipRecordDir: string;
  }
}

/** Whether this process may install Debian packages itself: root, with apt-get on the machine. */
function canInstall(): boolean {
  return process.getuid?.() === 0 && spawnSync('apt-get', ['--version']).status === 0;
}

/**
 * Vitest global setup: makes `npm test` work on a fresh Debian 12 machine. Packages from the one list
 * in .ci/install-packages.sh that are missing are installed by that script when we are root with apt;
 * otherwise the suites that need them skip (test/support/tools/suite-needs.ts) and the teardown prints
 * one summary naming each skipped suite, what it lacks and the command that enables it. With CI=true a
 * missing package fails the run instead, since CI must never skip the real-client suites.
 */
export default function setup(project: TestProject): () => void {
  const listed = listedPackages();
  let missing = missingPackages(listed);
  const installable = missing.filter((name) => !hiddenPackages().includes(name));
  if (installable.length > 0 && canInstall()) {
    console.log(`[octofleet] installing Debian packages the test suites need: ${installable.join(', ')}`);
    const run = spawnSync('bash', [INSTALL_SCRIPT], { cwd: REPO_ROOT, stdio: 'inherit' });
    if (run.status !== 0) console.log(`[octofleet] ${INSTALL_SCRIPT} failed (exit ${run.status})`);
    missing = missingPackages(listed);
  }
  if (missing.length > 0 && process.env.CI) {
    throw new Error(
      `[octofleet] CI must not skip suites: missing Debian package(s) ${missing.join(', ')}; enable with: ${ENABLE_COMMAND}`,
    );
  }
  const skipRecordDir = mkdtempSync(join(tmpdir(), 'octofleet-skips-'));
  project.provide('missingDebianPackages', missing);
  project.provide('skipRecordDir', skipRecordDir);
  return () => {
    const records = readdirSync(skipRecordDir)
      .sort()
      .map((file) => JSON.parse(readFileSync(join(skipRecordDir, file), 'utf8')) as SkipRecord);
    rmSync(skipRecordDir, { recursive: true, force: true });
    if (records.length > 0) console.log(skipSummary(records));
  };
}

/** The closing summary: one line per skipped suite, then the one command that enables them all. */
export function skipSummary(records: SkipRecord[]): string {
  const lines = records.map((r) => `  ${r.suite}: ${r.reason}; enable with: ${r.enable}`);
  return [`[octofleet] ${records.length} suite(s) skipped:`, ...lines].join('\n');
}

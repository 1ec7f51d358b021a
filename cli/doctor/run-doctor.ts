import { checkBmcs } from './bmc-checks.js';
import { checkBootUrl, checkPxe } from './boot-checks.js';
import { checkChat } from './chat-checks.js';
import type { CheckContext, CheckResult, CheckStatus, DoctorCheck } from './check.js';
import { checkImages } from './image-checks.js';
import { checkPostgres, checkRedis } from './storage-checks.js';

/**
 * Every check `npm run doctor` runs, in report order; each is a {@link DoctorCheck} in its own module.
 * A feature that needs checking before machines boot adds its check here.
 */
export const DOCTOR_CHECKS: DoctorCheck[] = [
  checkPostgres,
  checkRedis,
  checkBootUrl,
  checkPxe,
  checkImages,
  checkChat,
  checkBmcs,
];

/** Runs checks side by side; a check that throws is itself a ❌ rather than the end of the report. */
export async function runDoctor(ctx: CheckContext, checks = DOCTOR_CHECKS): Promise<CheckResult[]> {
  const groups = await Promise.all(
    checks.map((check) =>
      check(ctx).catch((error: Error): CheckResult[] => [
        {
          id: check.name,
          title: check.name,
          status: 'fail',
          detail: `the check itself failed: ${error.message}`,
        },
      ]),
    ),
  );
  return groups.flat();
}

const ICONS: Record<CheckStatus, string> = { ok: '✅', warn: '⚠️ ', fail: '❌' };

/** The report for a terminal: one line per finding, the fix under it. */
export function formatReport(results: CheckResult[]): string[] {
  const width = Math.max(...results.map((r) => r.title.length)) + 2;
  const lines = ['Octofleet doctor'];
  for (const r of results) {
    const [first, ...more] = r.detail.split('\n');
    lines.push(`${ICONS[r.status]} ${r.title.padEnd(width)}${first}`);
    for (const line of more) lines.push(`   ${' '.repeat(width)}${line}`);
    if (r.fix && r.status !== 'ok') lines.push(`   ${' '.repeat(width)}→ ${r.fix}`);
  }
  const count = (s: CheckStatus) => results.filter((r) => r.status === s).length;
  const failed = count('fail');
  lines.push(
    '',
    failed
      ? `${failed} problem(s) ❌, ${count('warn')} warning(s) ⚠️ — fix the ❌ before booting machines.`
      : `No problems${count('warn') ? `; ${count('warn')} warning(s) ⚠️ worth a look` : ''}. Ready for machines.`,
  );
  return lines;
}

/** Exit status: 0 only when nothing is ❌. */
export function exitCode(results: CheckResult[]): number {
  return results.some((r) => r.status === 'fail') ? 1 : 0;
}

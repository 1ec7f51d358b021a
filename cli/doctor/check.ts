import type { Config } from '../../core/config/index.js';

/** ✅ nothing to do, ⚠️ works but worth a look, ❌ machines will not install until it is fixed. */
export type CheckStatus = 'ok' | 'warn' | 'fail';

/** One finding of `npm run doctor`. */
export interface CheckResult {
  /** Stable id for monitoring (`redis`, `image:ws2025`, `chat:slack`). */
  id: string;
  title: string;
  status: CheckStatus;
  /** What was found, one line. */
  detail: string;
  /** What to do about it (a command, a variable to set); absent when nothing is to be done. */
  fix?: string;
}

/** What every check gets. */
export interface CheckContext {
  config: Config;
  /** Per network call. @defaultValue 5000 ms */
  timeoutMs: number;
}

/** A group of checks; one group may report several results (one per image). */
export type DoctorCheck = (ctx: CheckContext) => Promise<CheckResult[]>;

export const ok = (id: string, title: string, detail: string): CheckResult => ({
  id,
  title,
  status: 'ok',
  detail,
});
export const warn = (id: string, title: string, detail: string, fix?: string): CheckResult => ({
  id,
  title,
  status: 'warn',
  detail,
  fix,
});
export const fail = (id: string, title: string, detail: string, fix?: string): CheckResult => ({
  id,
  title,
  status: 'fail',
  detail,
  fix,
});

/** The message of a failed network call, with the system's error code when there is one. */
export function reason(error: unknown): string {
  const e = error as {
    code?: string;
    cause?: { code?: string; message?: string };
    message?: string;
    name?: string;
  };
  if (e?.name === 'TimeoutError') return 'no answer in time';
  return e?.cause?.code ?? e?.code ?? e?.cause?.message ?? e?.message ?? String(error);
}

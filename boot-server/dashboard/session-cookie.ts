import type { Context } from 'koa';

/** The dashboard's session cookie (its value is a random secret; Postgres holds its hash). */
export const SESSION_COOKIE = 'octofleet_session';
/** Double-submit token of the sign-in form, before any session exists. */
export const LOGIN_CSRF_COOKIE = 'octofleet_login';

/**
 * Cookie flags every dashboard cookie gets: not readable by scripts, never sent on cross-site requests,
 * and `Secure` when the browser reached us over HTTPS (directly, or through a proxy with TRUST_PROXY).
 */
export function cookieFlags(ctx: Context, maxAgeMs: number) {
  return {
    httpOnly: true,
    sameSite: 'strict' as const,
    secure: ctx.secure,
    path: '/',
    maxAge: maxAgeMs,
    overwrite: true,
  };
}

/** Removes a cookie (same flags, so the browser matches it). */
export function clearCookie(ctx: Context, name: string): void {
  ctx.cookies.set(name, '', { ...cookieFlags(ctx, 0), maxAge: undefined, expires: new Date(0) });
}

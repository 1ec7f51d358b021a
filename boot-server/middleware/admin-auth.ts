import { createHash, timingSafeEqual } from 'node:crypto';
import { bodyParser } from '@koa/bodyparser';
import type { Context, Middleware } from 'koa';
import type { ActiveSession, SessionStore } from '../../core/dashboard/session-store.js';
import { AppError } from '../../core/errors.js';
import { SESSION_COOKIE } from '../dashboard/session-cookie.js';

/** Paths anyone may reach: the sign-in form and the dashboard's static files. */
const PUBLIC = /^\/(login|assets\/[^/]+)$/;
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
const parseForm = bodyParser({ enableTypes: ['form'], formLimit: '32kb' });

/**
 * Who is calling the admin listener. `Authorization: Bearer <API_TOKEN>` works exactly as before (scripts,
 * the API). Without it, a dashboard session cookie is accepted, and every state-changing request of a
 * session must carry its CSRF token (`X-CSRF-Token` header, or `_csrf` in a form). Without either, the
 * API answers 401 and pages redirect to the sign-in form.
 */
export function adminAuth(opts: { apiToken: string | undefined; sessions: SessionStore }): Middleware {
  const expected = opts.apiToken ? digest(opts.apiToken) : null;
  return async (ctx, next) => {
    if (PUBLIC.test(ctx.path)) return next();
    const authorization = ctx.get('authorization');
    const cookie = ctx.cookies.get(SESSION_COOKIE);
    if (authorization || !cookie) {
      if (!expected) return next();
      const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
      if (!match) {
        if (!isApi(ctx.path)) return ctx.redirect('/login');
        throw new AppError('auth:required', 'send Authorization: Bearer <API_TOKEN>', 401);
      }
      if (!timingSafeEqual(digest(match[1]!), expected)) {
        throw new AppError('auth:invalid', 'the bearer token is not valid', 401);
      }
      return next();
    }
    const session = await opts.sessions.find(cookie, opts.apiToken);
    if (!session) {
      if (!isApi(ctx.path)) return ctx.redirect('/login');
      throw new AppError('auth:session-expired', 'the dashboard session ended; sign in again', 401);
    }
    ctx.state.session = session satisfies ActiveSession;
    if (!SAFE_METHODS.has(ctx.method)) await checkCsrf(ctx, session);
    await next();
  };
}

async function checkCsrf(ctx: Context, session: ActiveSession): Promise<void> {
  let presented = ctx.get('x-csrf-token');
  if (!presented && ctx.is('application/x-www-form-urlencoded')) {
    await parseForm(ctx, async () => {});
    presented = String((ctx.request.body as Record<string, unknown> | undefined)?._csrf ?? '');
  }
  if (!presented || !timingSafeEqual(digest(presented), digest(session.csrfToken))) {
    throw new AppError(
      'auth:csrf',
      'the request did not carry this session’s CSRF token; reload the page',
      403,
    );
  }
}

function isApi(path: string): boolean {
  return path.startsWith('/api/') || path === '/metrics';
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}

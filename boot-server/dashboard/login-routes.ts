import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { bodyParser } from '@koa/bodyparser';
import type Router from '@koa/router';
import type { Context } from 'koa';
import type { SessionStore } from '../../core/dashboard/session-store.js';
import type { LoginThrottle } from './login-throttle.js';
import { clearCookie, cookieFlags, LOGIN_CSRF_COOKIE, SESSION_COOKIE } from './session-cookie.js';
import type { DashboardViews, LayoutModel } from './views.js';

const parseForm = bodyParser({ enableTypes: ['form'], formLimit: '8kb' });
/** Who decisions are recorded as; the same rule as the API's `requestedBy`. */
const NAME = /^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$/;
const LOGIN_FORM_MS = 60 * 60_000;

export interface LoginRouteDeps {
  apiToken: string | undefined;
  sessions: SessionStore;
  throttle: LoginThrottle;
  views: DashboardViews;
  sessionMs: number;
}

/**
 * `GET /login` (the form), `POST /login` (`token`, optional `name`, `_csrf`) → session cookie and a
 * redirect to `/`, `POST /logout`. The form's CSRF token is a double-submit cookie (no session exists
 * yet); wrong tokens count against the client's address.
 */
export function loginRoutes(router: Router, deps: LoginRouteDeps): void {
  const expected = deps.apiToken ? digest(deps.apiToken) : null;

  const form = (ctx: Context, status: number, error: string | null, name = '') => {
    // Reuse the browser's token: a second GET (another tab, a favicon redirected here) must not
    // invalidate the form already on screen.
    const held = ctx.cookies.get(LOGIN_CSRF_COOKIE) ?? '';
    const csrf = /^[A-Za-z0-9_-]{32}$/.test(held) ? held : randomBytes(24).toString('base64url');
    ctx.cookies.set(LOGIN_CSRF_COOKIE, csrf, cookieFlags(ctx, LOGIN_FORM_MS));
    ctx.status = status;
    ctx.type = 'html';
    ctx.set('Cache-Control', 'no-store');
    const layout: LayoutModel = {
      title: 'Sign in',
      current: '/login',
      session: null,
      nav: [],
      lastEventId: '0',
    };
    ctx.body = deps.views.page('login', { csrf, error, name, open: expected === null }, layout);
  };

  router.get('/login', (ctx) => form(ctx, 200, null));

  router.post('/login', parseForm, async (ctx) => {
    const body = (ctx.request.body ?? {}) as Record<string, unknown>;
    const field = (k: string) => (typeof body[k] === 'string' ? (body[k] as string) : '');
    const cookie = ctx.cookies.get(LOGIN_CSRF_COOKIE) ?? '';
    if (!cookie || !field('_csrf') || !timingSafeEqual(digest(cookie), digest(field('_csrf')))) {
      return form(ctx, 403, 'The form expired or did not come from this page. Please try again.');
    }
    const wait = deps.throttle.retryAfterMs(ctx.ip);
    if (wait > 0) {
      const minutes = Math.ceil(wait / 60_000);
      ctx.set('Retry-After', String(Math.ceil(wait / 1000)));
      return form(ctx, 429, `Too many wrong tokens from your address. Try again in ${minutes} min.`);
    }
    const name = field('name').trim();
    if (name && !NAME.test(name)) {
      return form(
        ctx,
        422,
        'Your name may hold letters, digits, . _ @ - (1–64, starting with a letter or digit).',
        '',
      );
    }
    if (expected && !timingSafeEqual(digest(field('token')), expected)) {
      deps.throttle.fail(ctx.ip);
      return form(ctx, 401, 'That token is not valid.', name);
    }
    deps.throttle.succeed(ctx.ip);
    const { cookie: secret } = await deps.sessions.create({
      actorName: name || 'web',
      apiToken: deps.apiToken,
      ttlMs: deps.sessionMs,
    });
    clearCookie(ctx, LOGIN_CSRF_COOKIE);
    ctx.cookies.set(SESSION_COOKIE, secret, cookieFlags(ctx, deps.sessionMs));
    ctx.status = 303;
    ctx.redirect('/');
  });

  // Behind adminAuth: only a session with its CSRF token gets here.
  router.post('/logout', async (ctx) => {
    const secret = ctx.cookies.get(SESSION_COOKIE);
    if (secret) await deps.sessions.end(secret);
    clearCookie(ctx, SESSION_COOKIE);
    ctx.status = 303;
    ctx.redirect('/login');
  });
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}

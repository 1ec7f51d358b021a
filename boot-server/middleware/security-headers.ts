import type { Middleware } from 'koa';

/**
 * Scripts and styles only from this origin (no inline script, so an injected `<script>` or `onerror=`
 * cannot run even if escaping were ever missed), no framing (clickjacking of the approve button), and
 * no MIME sniffing. Set on every admin answer; JSON carries them harmlessly.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
].join('; ');

export const securityHeaders: Middleware = async (ctx, next) => {
  ctx.set({
    'Content-Security-Policy': CONTENT_SECURITY_POLICY,
    'X-Frame-Options': 'DENY',
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'same-origin',
    'Cross-Origin-Opener-Policy': 'same-origin',
  });
  await next();
};

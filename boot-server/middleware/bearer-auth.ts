import { createHash, timingSafeEqual } from 'node:crypto';
import type { Middleware } from 'koa';
import { AppError } from '../../core/errors.js';

/**
 * `Authorization: Bearer <token>` on every request, compared in constant time (both sides hashed first,
 * so neither the length nor the content leaks through timing). Without a configured token every request
 * passes: the boot server refuses to start like that on a non-loopback API_HOST.
 */
export function bearerAuth(token: string | undefined): Middleware {
  const expected = token ? digest(token) : null;
  return async (ctx, next) => {
    if (expected) {
      const match = /^Bearer\s+(\S+)\s*$/i.exec(ctx.get('authorization'));
      if (!match) throw new AppError('auth:required', 'send Authorization: Bearer <API_TOKEN>', 401);
      if (!timingSafeEqual(digest(match[1]!), expected)) {
        throw new AppError('auth:invalid', 'the bearer token is not valid', 401);
      }
    }
    await next();
  };
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}

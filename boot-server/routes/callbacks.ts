import { bodyParser } from '@koa/bodyparser';
import type Router from '@koa/router';
import type { Middleware } from 'koa';
import type { Deployment } from '../../core/deployments/deployment.entity.js';
import { AppError, NotFoundError } from '../../core/errors.js';
import { parseCallback } from '../callback-body.js';
import type { BootServerDeps } from '../deps.js';

/** Installers post small forms and JSON events; anything bigger is refused with 413. */
export const CALLBACK_BODY_LIMIT = '16kb';

/**
 * `POST /cb/:token`: installer progress. The event is committed to Postgres before the 2xx goes out, so
 * an installer that saw 200 never needs to resend. Unknown or expired tokens get the same 404 as a
 * deployment that never existed; callbacks are still accepted for TOKEN_GRACE_MINUTES after the end.
 */
export function callbacksRoute(router: Router, { core, metrics }: BootServerDeps): void {
  const resolveToken: Middleware = async (ctx, next) => {
    const deployment = await core.deployments.resolveToken(String(ctx.params.token), 'callback');
    if (!deployment) {
      metrics.callbacks.inc({ stage: 'invalid', outcome: 'rejected' });
      throw new NotFoundError('not found');
    }
    ctx.state.deployment = deployment;
    // `is` answers null without a body (then `status is required` explains more) and false for other types.
    if (ctx.is('application/json', 'application/x-www-form-urlencoded') === false) {
      metrics.callbacks.inc({ stage: 'invalid', outcome: 'rejected' });
      throw new AppError(
        'request:unsupported-type',
        'send application/json or application/x-www-form-urlencoded',
        415,
      );
    }
    await next();
  };
  const body = bodyParser({
    enableTypes: ['json', 'form'],
    jsonLimit: CALLBACK_BODY_LIMIT,
    formLimit: CALLBACK_BODY_LIMIT,
  });

  router.post('/cb/:token', resolveToken, body, async (ctx) => {
    const deployment = ctx.state.deployment as Deployment;
    let input: ReturnType<typeof parseCallback>;
    try {
      input = parseCallback(ctx.request.body);
    } catch (error) {
      metrics.callbacks.inc({ stage: 'invalid', outcome: 'rejected' });
      throw error;
    }
    if (input.kind === 'ignore') {
      metrics.callbacks.inc({ stage: 'installer', outcome: 'ignored' });
      ctx.status = 202;
      ctx.body = { recorded: false, reason: input.reason };
      return;
    }
    const result = await core.deployments.recordEvent(deployment.id, {
      stage: input.stage,
      message: input.message,
      progress: input.progress,
      source: 'installer',
    });
    metrics.callbacks.inc({ stage: input.stage, outcome: 'recorded' });
    ctx.status = 200;
    ctx.body = {
      recorded: true,
      stage: input.stage,
      status: result.deployment.status,
      changed: result.changed,
    };
  });
}

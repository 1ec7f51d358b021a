import type Router from '@koa/router';
import { AppError, NotFoundError, ValidationError } from '../../core/errors.js';
import type { BootServerDeps } from '../deps.js';
import { stepTarget } from '../ipxe/boot-steps.js';
import { parseIpxeError } from '../ipxe/ipxe-errors.js';
import { buildInstallContext } from '../ipxe/scripts.js';

const STEP = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/** What a reported `code` means: an iPXE `${errno}`, or `grub` from the GRUB chain of Secure Boot. */
function describeCode(raw: string | undefined) {
  // `${errno}` is 0 when the failed step set none (a `boot` that returned): a report without a code.
  if (raw === undefined || raw === '' || /^(0x)?0+$/i.test(raw)) return null;
  if (raw === 'grub') {
    return {
      code: 'grub',
      meaning: 'GRUB refused it; under Secure Boot: not signed, "bad shim signature"',
      retryable: false,
    };
  }
  const error = parseIpxeError(raw);
  if (!error) {
    throw new ValidationError(
      'code must be an iPXE error number (${errno}, e.g. 0x2d0c613b) or "grub"',
      undefined,
      'boot-report:bad-code',
    );
  }
  const known = !error.meaning.startsWith('error ');
  return { ...error, meaning: known ? error.meaning : `${error.meaning}, ${error.url}` };
}

/**
 * `GET /r/:token/boot-failed?step=<step>&code=<${errno}>`: a boot script's give-up path says what failed
 * before it hands the machine back to the firmware. A GET, because Debian's 2019 iPXE cannot POST a form
 * (no `params`); the token is the deployment's, refused once it is not active. Recorded like a callback
 * and said in the thread within seconds:
 * - one report per network boot (per install-script serve): the same report again answers
 *   `recorded: false`, a different one for the same boot 429 — the boot-loop guard bounds the boots;
 * - only while the deployment is booting: a report never moves it back (409 otherwise);
 * - a step a second boot can fix (timeouts, refused or reset connections, server errors) leaves it
 *   booting with the boot counted; anything else (404, refusals, a bad or unsigned image) fails it.
 * The URL in the thread is the server's own for that step, without token or query
 * ({@link stepTarget}); the step name is checked, the code parsed, nothing else from the request is used.
 */
export function bootReportRoute(router: Router, deps: BootServerDeps): void {
  const { core } = deps;
  router.get('/r/:token/boot-failed', async (ctx) => {
    const deployment = await core.deployments.resolveToken(String(ctx.params.token), 'artifact');
    if (!deployment) throw new NotFoundError('not found');
    const step = typeof ctx.query.step === 'string' ? ctx.query.step : '';
    if (!STEP.test(step)) {
      throw new ValidationError('step must be a plain step name', undefined, 'boot-report:bad-step');
    }
    const error = describeCode(typeof ctx.query.code === 'string' ? ctx.query.code : undefined);
    if (deployment.status !== 'booting') {
      throw new AppError(
        'boot-report:not-booting',
        `deployment #${deployment.id} is ${deployment.status}; a boot report can only fail a booting deployment`,
        409,
      );
    }
    const serve = deployment.installServes;
    const key = `${serve}:${step}:${error?.code ?? '-'}`;
    ctx.set('Cache-Control', 'no-store');
    if (deployment.bootReport === key) {
      ctx.body = { recorded: false, reason: 'already recorded', status: deployment.status };
      return;
    }
    if (deployment.bootReport?.startsWith(`${serve}:`)) throw rateLimited();

    const image = await core.deployments.image(deployment.os);
    const context = buildInstallContext(core.templates, {
      config: core.config,
      deployment,
      image,
      token: core.deployments.tokenFor(deployment),
      retry: deps.retry,
    });
    const target = stepTarget(context, step);
    const why = error ? ` (${error.meaning})` : '';
    const what =
      step === 'boot'
        ? `could not start what it downloaded${why}`
        : error?.code === 'grub'
          ? `could not load ${target ?? `step ${step}`}${why}`
          : `could not download ${target ?? `step ${step}`}${why}`;
    const retryable = error?.retryable ?? false;
    const next = retryable
      ? `; it stays booting: network-boot it again to retry (boot ${serve} of ${deps.bootLoopLimit})`
      : '';
    const outcome = await core.deployments.recordBootFailure(deployment.id, {
      stage: retryable ? 'boot_retry' : 'boot_failed',
      fail: !retryable,
      reason: `${deployment.hostname} ${what} — gave up, booting from disk${next}`,
      installServes: serve,
      reportKey: key,
    });
    if (!outcome.recorded) {
      // Raced: another report for this boot, a newer serve, or a state change since the lookup.
      if (outcome.status !== 'booting') {
        throw new AppError(
          'boot-report:not-booting',
          `deployment #${deployment.id} is ${outcome.status}`,
          409,
        );
      }
      throw rateLimited();
    }
    core.logger.info(
      { deploymentId: deployment.id, step, code: error?.code ?? null },
      'boot script reported',
    );
    ctx.body = { recorded: true, status: outcome.status };
  });
}

function rateLimited(): AppError {
  return new AppError('boot-report:rate-limited', 'this network boot has already reported a failure', 429);
}

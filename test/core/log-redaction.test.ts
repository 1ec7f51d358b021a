import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../core/logger.js';

// A parsed JSON log line, walked by key in the assertions.
// biome-ignore lint/suspicious/noExplicitAny: JSON of any shape
type Json = any;

/** Every line a logger writes, parsed. */
function capture() {
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(line));
      done();
    },
  });
  const logger = createLogger({ level: 'debug', destination: sink });
  return { logger, lines, text: () => JSON.stringify(lines) };
}

describe('secrets in log lines', () => {
  it('blanks secret-named fields at every depth a request or config reaches, whatever their case', () => {
    const { logger, lines, text } = capture();
    logger.info(
      {
        password: 'pw-top',
        deployment: { id: 7, secrets: { joinPassword: 'pw-nested' } },
        req: { headers: { authorization: 'Bearer tok-header', cookie: 'sid=cookie-value', host: 'x' } },
        config: { API_TOKEN: 'api-token-value', SECRET_KEY: 'k'.repeat(64), BOOT_PORT: 8080 },
        machine: { bmc: { Password: 'bmc-pw', user: 'admin' } },
        items: [{ token: 'tok-in-array' }],
        headers: { 'X-Auth-Token': 'redfish-session' },
      },
      'something happened',
    );
    for (const secret of [
      'pw-top',
      'pw-nested',
      'tok-header',
      'cookie-value',
      'api-token-value',
      'kkkk',
      'bmc-pw',
      'tok-in-array',
      'redfish-session',
    ]) {
      expect(text()).not.toContain(secret);
    }
    const line = lines[0] as Json;
    expect(line.password).toBe('[redacted]');
    expect(line.req.headers).toEqual({ authorization: '[redacted]', cookie: '[redacted]', host: 'x' });
    expect(line.config).toEqual({ API_TOKEN: '[redacted]', SECRET_KEY: '[redacted]', BOOT_PORT: 8080 });
    expect(line.machine.bmc).toEqual({ Password: '[redacted]', user: 'admin' });
    expect(line.items).toEqual([{ token: '[redacted]' }]);
  });

  it('leaves the logged object itself untouched', () => {
    const { logger } = capture();
    const body = { hostname: 'web01', bmc: { password: 'still-here' } };
    logger.info({ body }, 'machine saved');
    expect(body.bmc.password).toBe('still-here');
  });

  it('keeps errors readable while blanking what they carry', () => {
    const { logger, lines, text } = capture();
    const error = Object.assign(new Error('BMC refused the session'), {
      config: { headers: { authorization: 'Basic c2VjcmV0' } },
    });
    logger.error({ err: error }, 'power on failed');
    const err = (lines[0] as Json).err;
    expect(err.message).toBe('BMC refused the session');
    expect(err.stack).toContain('BMC refused the session');
    expect(err.config.headers.authorization).toBe('[redacted]');
    expect(text()).not.toContain('c2VjcmV0');
    expect(error.config.headers.authorization).toBe('Basic c2VjcmV0');
  });

  it('blanks secrets bound to a child logger', () => {
    const { logger, text } = capture();
    logger.child({ component: 'power', token: 'bound-token' }).info('ready');
    expect(text()).not.toContain('bound-token');
    expect(text()).toContain('power');
  });
});

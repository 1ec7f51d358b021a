import { readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

// compose-spec/compose-spec schema/compose-spec.json, copied into test/fixtures/schemas (see its README).
// Its `$schema` names draft 7 by an https URL Ajv does not know; Ajv validates draft 7 by default.
const { $schema: _draft, ...schema } = JSON.parse(
  readFileSync('test/fixtures/schemas/compose-spec.json', 'utf8'),
);
const compose = parse(readFileSync('docker-compose.yml', 'utf8'), { merge: true });

describe('docker-compose.yml', () => {
  it('validates against the Compose Specification', () => {
    const ajv = new Ajv({ allErrors: true, strict: false });
    const validate = ajv.compile(schema);
    const ok = validate(compose);
    expect(validate.errors ?? []).toEqual([]);
    expect(ok).toBe(true);
  });

  it('is checked by a validator that does refuse a broken file', () => {
    const validate = new Ajv({ strict: false }).compile(schema);
    expect(validate({ services: { app: { image: 'x', restart: 'sometimes', bogus: true } } })).toBe(false);
  });

  it("caps the boot server's heap as `npm run boot-server` does", () => {
    const script = JSON.parse(readFileSync('package.json', 'utf8')).scripts['boot-server'];
    expect(compose.services['boot-server'].command.join(' ')).toBe(script);
  });

  it('runs each role from one image, after Postgres and Redis are healthy and migrations ran', () => {
    for (const role of ['boot-server', 'worker', 'bot']) {
      const service = compose.services[role];
      expect(service.image).toBe('octofleet:latest');
      expect(service.command[0]).toBe('node');
      expect(service.command.slice(-4)).toEqual(['--import', 'tsx', 'cli/start.ts', role]);
      expect(service.init).toBe(true);
      expect(service.depends_on).toMatchObject({
        postgres: { condition: 'service_healthy' },
        redis: { condition: 'service_healthy' },
        migrate: { condition: 'service_completed_successfully' },
      });
    }
    expect(compose.services.postgres.healthcheck).toBeDefined();
    expect(compose.services.redis.healthcheck).toBeDefined();
  });

  it('publishes the admin API on loopback only', () => {
    expect(compose.services['boot-server'].ports).toContain('127.0.0.1:${API_PORT:-8081}:8081');
  });

  it('only copies folders into the image that exist', () => {
    const dockerfile = readFileSync('Dockerfile', 'utf8');
    const copied = [...dockerfile.matchAll(/^COPY (?!--from)(.+) \S+$/gm)].flatMap((m) => m[1]!.split(' '));
    for (const path of copied)
      expect(() => readFileSync(path === '.' ? 'package.json' : path), path).not.toThrow(/ENOENT/);
  });
});

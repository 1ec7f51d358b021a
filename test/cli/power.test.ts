import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Core } from '../../core/create-core.js';
import { PowerActionRecord } from '../../core/power/power-action.entity.js';
import { type FakeRedfish, startFakeRedfish } from '../support/fake-redfish/fake-redfish.js';
import { createTestCore } from '../support/test-core.js';

const PASSWORD = 'Cli-Bmc-Secret-55';
let core: Core;
let bmc: FakeRedfish;
beforeAll(async () => {
  core = await createTestCore({ SECRET_KEY: 'cli-test-secret-key-0123456789abcdef' });
  bmc = await startFakeRedfish({ password: PASSWORD });
  await core.machines.put('web01', {
    mac: '52:54:00:c1:00:01',
    bmc: { driver: 'redfish', address: bmc.url, username: 'root', password: PASSWORD },
  });
});
afterAll(async () => {
  await bmc?.close();
  await core?.close();
});

/** `npm run power -- …` as an operator runs it, against the test database. */
function power(...args: string[]) {
  return promisify(execFile)(process.execPath, ['--import', 'tsx', 'cli/power.ts', ...args], {
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      DATABASE_URL: core.config.DATABASE_URL,
      SECRET_KEY: 'cli-test-secret-key-0123456789abcdef',
    },
  }).then(
    (r) => ({ code: 0, ...r }),
    (e: { code: number; stdout: string; stderr: string }) => e,
  );
}

describe('npm run power', () => {
  it('asks the BMC and prints the outcome; changes are audited under the shell user', async () => {
    const status = await power('web01', 'status');
    expect(status.code).toBe(0);
    expect(JSON.parse(status.stdout)).toMatchObject({ machine: 'web01', power: 'off', driver: 'Redfish' });
    const on = await power('web01', 'on');
    expect(JSON.parse(on.stdout)).toMatchObject({ power: 'on' });
    expect(bmc.resets).toEqual(['On']);
    const audit = await core.orm.em
      .fork()
      .find(PowerActionRecord, { machineName: 'web01' }, { orderBy: { id: 'asc' } });
    expect(audit.map((a) => [a.action, a.actorPlatform, a.actorName.endsWith('(cli)')])).toEqual([
      ['status', 'shell', true],
      ['on', 'shell', true],
    ]);
    expect(`${status.stdout}${status.stderr}${on.stdout}${on.stderr}`).not.toContain(PASSWORD);
  }, 60_000);

  it('says what is wrong and exits non-zero', async () => {
    const unknown = await power('nope', 'status');
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('machine:not-found: no machine named "nope"');
    const usage = await power('web01', 'explode');
    expect(usage.code).toBe(2);
    expect(usage.stderr).toMatch(/^usage: npm run power -- <machine>/);
  }, 60_000);
});

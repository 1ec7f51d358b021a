import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { verify } from 'unixcrypt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { startTestBootServer, type TestBootServer } from '../../boot-server/helpers/boot-server-fixture.js';
import { freePort } from '../../support/free-port.js';
import { preseedMap } from './preseed.js';
import { curlPath, disposeTestShells, runArgv, testShells } from './run-command.js';

// The answer files as the real boot server serves them (real secrets, real token), and their progress
// commands run for real against its real callback route: what a machine's installer would do, minus the
// installer. Stage names, progress values and bodies must all be accepted and move the deployment.
let t: TestBootServer;
// curl where the machine has it (CI), else the stand-in: the Ubuntu commands call it from PATH.
const curlEnv = { ...process.env, PATH: curlPath() };

beforeAll(async () => {
  const port = await freePort();
  t = await startTestBootServer({
    BOOT_PORT: String(port),
    PUBLIC_BOOT_URL: `http://127.0.0.1:${port}`,
    LINUX_SSH_AUTHORIZED_KEYS: 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGq9 alice@laptop',
  });
});
afterAll(async () => {
  await t?.close();
  disposeTestShells();
});

/** Requests and approves a deployment through the admin API; returns its id and generated password. */
async function approvedDeployment(mac: string, os: string, hostname: string) {
  const created = await t.apiFetch('/api/v1/deployments', { method: 'POST', json: { mac, os, hostname } });
  expect(created.status).toBe(201);
  const { id, password } = (await created.json()) as { id: number; password: string };
  expect((await t.apiFetch(`/api/v1/deployments/${id}/approve`, { method: 'POST', json: {} })).status).toBe(
    200,
  );
  const deployment = await t.core.deployments.repository().get(id);
  return { id, password, token: t.core.deployments.tokenFor(deployment) };
}

async function artifact(token: string, name: string) {
  const res = await fetch(`${t.boot}/d/${token}/${name}`);
  expect(res.status, `GET /d/<token>/${name}`).toBe(200);
  return { type: res.headers.get('content-type'), text: await res.text() };
}

const stages = async (id: number) => (await t.core.deployments.repository().events(id)).map((e) => e.stage);
const status = async (id: number) => (await t.core.deployments.repository().get(id)).status;

describe('ubuntu2404 through the boot server', () => {
  it('serves user-data whose hash verifies against the password the requester got, and whose commands take the deployment to done', async () => {
    const { id, password, token } = await approvedDeployment('52:54:00:31:00:01', 'ubuntu2404', 'web-01');
    const userData = await artifact(token, 'user-data');
    expect(userData.type).toMatch(/^text\/yaml/);
    expect(userData.text).not.toContain(password);
    const { autoinstall } = parse(userData.text);
    expect(verify(password, autoinstall.identity.password)).toBe(true);
    expect(autoinstall.reporting.octofleet.endpoint).toBe(`${t.core.config.publicBootUrl}/cb/${token}`);
    expect(parse((await artifact(token, 'meta-data')).text)).toEqual({
      'instance-id': `octofleet-deployment-${id}`,
      'local-hostname': 'web-01',
    });
    expect(parse((await artifact(token, 'vendor-data')).text)).toEqual({});

    const run = async (command: string[]) => expect((await runArgv(command, { env: curlEnv })).code).toBe(0);
    await run(autoinstall['early-commands'][0]);
    expect(await status(id)).toBe('installing');
    await run(autoinstall['late-commands'][0]);
    await run(autoinstall['user-data'].bootcmd[0].slice(3)); // without cloud-init-per
    expect(await status(id)).toBe('configuring');
    await run(autoinstall['user-data'].runcmd[0]);
    expect(await status(id)).toBe('done');
    expect(await stages(id)).toEqual([
      'requested',
      'approved',
      'early_command',
      'late_command',
      'first_boot',
      'done',
    ]);
  });

  it('error-commands fail the deployment with their message', async () => {
    const { id, token } = await approvedDeployment('52:54:00:31:00:02', 'ubuntu2204', 'web-02');
    const { autoinstall } = parse((await artifact(token, 'user-data')).text);
    expect((await runArgv(autoinstall['error-commands'][0], { env: curlEnv })).code).toBe(0);
    const deployment = await t.core.deployments.repository().get(id);
    expect(deployment.status).toBe('failed');
    expect(deployment.failureReason).toMatch(/Ubuntu installer failed/);
  });
});

// With /bin/sh everywhere, and with busybox sh and wget (what d-i runs) where installed.
describe.each(testShells().map((shell, i) => ({ ...shell, i })))(
  'debian12 through the boot server ($name)',
  (shell) => {
    it('serves preseed.cfg and late-command.sh whose commands take the deployment to done', async () => {
      const mac = `52:54:00:31:01:0${shell.i}`;
      const { id, password, token } = await approvedDeployment(mac, 'debian12', `deb-0${shell.i}`);
      const preseed = await artifact(token, 'preseed.cfg');
      expect(preseed.text).not.toContain(password);
      const answers = preseedMap(preseed.text);
      expect(verify(password, answers.get('passwd/user-password-crypted')!.value)).toBe(true);
      const late = await artifact(token, 'late-command.sh');
      expect(late.type).toMatch(/^text\/plain/);

      const env = { PATH: shell.PATH };
      expect(
        (await runArgv([...shell.argv, '-c', answers.get('preseed/early_command')!.value], { env })).code,
      ).toBe(0);
      expect(await status(id)).toBe('installing');

      // late_command's own report, then late-command.sh on a target root as d-i leaves it.
      const root = await mkdtemp(join(tmpdir(), 'octofleet-target-'));
      try {
        await mkdir(join(root, 'etc'));
        await mkdir(join(root, 'home/octofleet'), { recursive: true });
        await writeFile(
          join(root, 'etc/passwd'),
          `octofleet:x:${process.getuid?.() ?? 0}:${process.getgid?.() ?? 0}::/home/octofleet:/bin/bash\n`,
        );
        await writeFile(join(root, 'late.sh'), late.text);
        const report = answers.get('preseed/late_command')!.value.split(' || true;')[0]!;
        expect((await runArgv([...shell.argv, '-c', report], { env })).code).toBe(0);
        expect((await runArgv([...shell.argv, join(root, 'late.sh'), root], { env })).code).toBe(0);
        const firstBoot = await runArgv(
          [
            '/bin/sh',
            join(root, 'usr/local/sbin/octofleet-first-boot'),
            join(root, 'var/lib/octofleet/callback-url'),
          ],
          { env },
        );
        expect(firstBoot, firstBoot.stderr).toMatchObject({ code: 0 });
      } finally {
        await rm(root, { recursive: true, force: true });
      }
      expect(await status(id)).toBe('done');
      expect(await stages(id)).toEqual([
        'requested',
        'approved',
        'early_command',
        'late_command',
        'first_boot',
        'done',
      ]);
    });
  },
);

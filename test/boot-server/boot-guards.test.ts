import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testArtifactsDir } from '../support/test-artifacts.js';
import { alice, approver, bob } from '../support/test-core.js';
import {
  counterValue,
  startTestBootServer,
  type TestBootServer,
  TINY_IMAGE,
} from './helpers/boot-server-fixture.js';

// What /ipxe/:mac refuses to serve: an install whose local files are missing, and a machine in a boot loop.
let t: TestBootServer;
let artifacts: string;
let nextMac = 0x10;
const freshMac = () => `52:54:00:00:0c:${(nextMac++).toString(16).padStart(2, '0')}`;

beforeAll(async () => {
  // Every catalog file but the VirtIO storage driver of ws2025 and the tiny initrd.
  artifacts = mkdtempSync(join(tmpdir(), 'octofleet-guards-'));
  cpSync(testArtifactsDir(), artifacts, { recursive: true });
  rmSync(join(artifacts, 'windows/ws2025/drivers/kvm/viostor.inf'));
  t = await startTestBootServer({ ARTIFACTS_DIR: artifacts, BOOT_LOOP_LIMIT: '3' });
  await t.core.deployments.images().create(TINY_IMAGE);
  await t.core.deployments.images().create({
    ...TINY_IMAGE,
    id: 'tinylinux2',
    boot: { ...TINY_IMAGE.boot, initrd: ['tiny/missing-initrd.gz'] },
  });
});
afterAll(() => {
  rmSync(artifacts, { recursive: true, force: true });
  return t?.close();
});

async function approved(os: string, profile = 'auto') {
  const mac = freshMac();
  const { deployment } = await t.core.deployments.request({ mac, os, hostname: 'web07', profile }, alice);
  await t.core.deployments.approve(deployment.id, bob, approver);
  return { id: deployment.id, mac };
}
const script = async (mac: string, query = 'platform=efi&manufacturer=QEMU') =>
  (await fetch(`${t.boot}/ipxe/${mac}?${query}`)).text();
const get = (id: number) => t.core.deployments.repository().get(id);

describe('missing local files are found before the machine boots', () => {
  it('fails a Windows deployment at once naming the profile driver that is missing, and boots locally', async () => {
    const { id, mac } = await approved('ws2025');
    const text = await script(mac);
    expect(text).toContain(`deployment ${id} is failed, booting from the local disk`);
    expect(text).not.toMatch(/kernel |\/d\/|\/r\//);
    expect(await get(id)).toMatchObject({
      status: 'failed',
      stage: 'missing_file',
      failureReason:
        'web07 cannot install: windows/ws2025/drivers/kvm/viostor.inf is missing from ARTIFACTS_DIR on the boot server — put the file there and request the deployment again; the machine boots from its disk',
    });
  });

  it('serves the same image to a profile that needs no VirtIO drivers', async () => {
    const { id, mac } = await approved('ws2025', 'hyperv-gen2');
    expect(await script(mac)).toContain('kernel --name wimboot');
    expect((await get(id)).status).toBe('booting');
  });

  it('names a missing Linux initrd', async () => {
    const { id, mac } = await approved('tinylinux2');
    await script(mac);
    expect((await get(id)).failureReason).toMatch(
      /^web07 cannot install: tiny\/missing-initrd\.gz is missing/,
    );
  });
});

describe('boot-loop guard', () => {
  it('fails the deployment on the 4th network boot without the installer reporting, and boots that one locally', async () => {
    const { id, mac } = await approved('tinylinux');
    const installs = await counterValue(t.registry, 'octofleet_ipxe_renders_total', { outcome: 'install' });
    for (let boot = 1; boot <= 3; boot++) expect(await script(mac)).toContain('kernel ');
    expect(await get(id)).toMatchObject({ status: 'booting', installServes: 3 });
    const fourth = await script(mac);
    expect(fourth).toContain(`deployment ${id} is failed, booting from the local disk`);
    expect(fourth).toMatch(/\nexit 1\n$/);
    expect(await get(id)).toMatchObject({
      status: 'failed',
      stage: 'boot_loop',
      failureReason: 'the machine network-booted 3 times without the installer reporting — check the console',
    });
    expect(await counterValue(t.registry, 'octofleet_ipxe_renders_total', { outcome: 'install' })).toBe(
      installs + 3,
    );
    // And from then on, local boot without a token.
    expect(await script(mac)).toContain('nothing to install');
  });

  it('starts counting again when the installer reports while booting', async () => {
    const { id, mac } = await approved('tinylinux');
    await script(mac);
    await script(mac);
    await t.core.deployments.recordEvent(id, { stage: 'progress', progress: 5, source: 'installer' });
    expect((await get(id)).installServes).toBe(0);
    for (let boot = 1; boot <= 3; boot++) expect(await script(mac)).toContain('kernel ');
    expect((await get(id)).status).toBe('booting');
  });
});

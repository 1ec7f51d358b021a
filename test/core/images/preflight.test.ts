// A deployment of an image whose files are missing is refused at once, naming the file, and nothing is
// created: through the deployment service (chat, batches, dashboard share it) and over the admin API.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Deployment } from '../../../core/deployments/deployment.entity.js';
import { startTestBootServer, type TestBootServer } from '../../boot-server/helpers/boot-server-fixture.js';
import { alice } from '../../support/test-core.js';

const artifacts = mkdtempSync(join(tmpdir(), 'octofleet-preflight-'));
let t: TestBootServer;
beforeAll(async () => {
  t = await startTestBootServer({ IMAGE_PREFLIGHT: 'true', ARTIFACTS_DIR: artifacts });
});
afterAll(async () => {
  await t?.close();
  rmSync(artifacts, { recursive: true, force: true });
});

function put(relative: string) {
  mkdirSync(join(artifacts, relative, '..'), { recursive: true });
  writeFileSync(join(artifacts, relative), 'x');
}
const count = () => t.core.orm.em.fork().count(Deployment, {});

describe('preflight of deployment requests', () => {
  it('refuses ws2025 over the API with 422 naming install.wim, and creates nothing', async () => {
    for (const f of ['windows/wimboot', 'windows/curl.exe']) put(f);
    for (const f of ['BCD', 'boot.sdi', 'boot.wim']) put(`windows/ws2025/${f}`);
    const res = await t.apiFetch('/api/v1/deployments', {
      method: 'POST',
      json: { mac: '52:54:00:aa:00:01', os: 'ws2025' },
    });
    expect(res.status).toBe(422);
    const body = await res.json();
    expect(body.error).toBe('deploy:image-not-ready');
    expect(body.detail).toMatch(
      /^ws2025 cannot boot: missing in ARTIFACTS_DIR \(\S+\): install\.wim windows\/ws2025\/install\.wim\. /,
    );
    expect(body.info).toEqual({
      image: 'ws2025',
      missing: [{ role: 'installWim', location: 'windows/ws2025/install.wim', problem: 'does not exist' }],
    });
    expect(await count()).toBe(0);
  });

  it('shows readiness in GET /api/v1/images and accepts the request once the file is there', async () => {
    const before = await (await t.apiFetch('/api/v1/images/ws2025')).json();
    expect(before.readiness).toMatchObject({
      ready: false,
      missing: [{ role: 'installWim', location: 'windows/ws2025/install.wim' }],
    });
    put('windows/ws2025/install.wim');
    const list = await (await t.apiFetch('/api/v1/images?limit=100')).json();
    expect(list.items.find((i: { id: string }) => i.id === 'ws2025').readiness).toMatchObject({
      ready: true,
      missing: [],
    });
    const res = await t.apiFetch('/api/v1/deployments', {
      method: 'POST',
      json: { mac: '52:54:00:aa:00:01', os: 'ws2025' },
    });
    expect(res.status).toBe(201);
  });

  it('refuses in the shared creation path too (chat, batches, dashboard)', async () => {
    await expect(
      t.core.deployments.request({ mac: '52:54:00:aa:00:02', os: 'debian12' }, alice),
    ).rejects.toMatchObject({
      code: 'deploy:image-not-ready',
      message: expect.stringMatching(
        /^debian12 cannot boot: missing in ARTIFACTS_DIR \(\S+\): kernel debian\/12\/linux, initrd debian\/12\/initrd\.gz, initrd debian\/12\/firmware\.cpio\.gz\./,
      ),
    });
    expect(await count()).toBe(1);
  });

  it('refuses a batch of an image with missing files over the API, and creates nothing', async () => {
    const res = await t.apiFetch('/api/v1/batches', {
      method: 'POST',
      json: { os: 'debian12', machines: [{ mac: '52:54:00:aa:00:03' }, { mac: '52:54:00:aa:00:04' }] },
    });
    expect(res.status).toBe(422);
    const body = await res.json();
    expect(body.error).toBe('deploy:image-not-ready');
    expect(body.detail).toMatch(/^debian12 cannot boot: missing in ARTIFACTS_DIR/);
    expect(await count()).toBe(1);
  });
});

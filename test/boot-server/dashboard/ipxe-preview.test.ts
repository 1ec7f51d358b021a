import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alice, approver, bob } from '../../support/test-core.js';
import { startTestBootServer, type TestBootServer, TINY_IMAGE } from '../helpers/boot-server-fixture.js';
import { signIn } from './sign-in.js';

// The deployment page shows what /ipxe/:mac would answer now; looking must not boot anything.
let t: TestBootServer;
beforeAll(async () => {
  t = await startTestBootServer();
  await t.core.deployments.images().create(TINY_IMAGE);
});
afterAll(() => t?.close());

describe('the deployment page’s iPXE preview', () => {
  it('shows the install script with the token masked and leaves the deployment approved', async () => {
    const { deployment } = await t.core.deployments.request(
      { mac: '52:54:00:00:0d:01', os: 'tinylinux', hostname: 'web01' },
      alice,
    );
    await t.core.deployments.approve(deployment.id, bob, approver);
    const session = await signIn(t.api);
    const page = await (
      await fetch(`${t.api}/deployments/${deployment.id}`, { headers: { cookie: session.cookie } })
    ).text();
    expect(page).toContain('«token»');
    expect(page).toContain('kernel');
    expect(page).not.toContain(t.core.deployments.tokenFor(deployment));
    const after = await t.core.deployments.repository().get(deployment.id);
    expect(after.status).toBe('approved');
    expect(after.installServes).toBe(0);
  });
});

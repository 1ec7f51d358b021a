import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { BmcError } from '../../../core/power/power-driver.js';
import { RedfishDriver, type RedfishSettings } from '../../../core/power/redfish-driver.js';
import {
  type FakeRedfish,
  type FakeRedfishOptions,
  startFakeRedfish,
} from '../../support/fake-redfish/fake-redfish.js';
import { selfSignedCertificate } from '../../support/fake-redfish/self-signed.js';

let bmc: FakeRedfish | undefined;
let cert: { key: string; cert: string };
beforeAll(async () => {
  cert = await selfSignedCertificate();
});
afterEach(async () => {
  await bmc?.close();
  bmc = undefined;
});

async function driverFor(opts: FakeRedfishOptions = {}, settings: Partial<RedfishSettings> = {}) {
  bmc = await startFakeRedfish(opts);
  return new RedfishDriver({
    address: bmc.url,
    username: 'root',
    password: 'calvin',
    timeoutMs: 5000,
    ...settings,
  });
}

async function failure(promise: Promise<unknown>): Promise<BmcError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(BmcError);
  return error as BmcError;
}

describe('Redfish driver against a fake BMC', () => {
  it('opens a session, sets PXE once (read back), powers on, and logs out', async () => {
    const d = await driverFor();
    expect(await d.status()).toBe('off');
    expect(await d.pxeOnce('uefi')).toEqual({ verified: true, notes: [] });
    expect(bmc!.state.boot).toEqual({ target: 'Pxe', enabled: 'Once', mode: 'UEFI' });
    await d.on();
    expect(bmc!.resets).toEqual(['On']);
    expect(await d.status()).toBe('on');
    await d.close();
    expect(bmc!.loggedOut).toBe(1);
    expect(bmc!.sessions.size).toBe(0);
    const authenticated = bmc!.requests.filter((r) => r.auth !== 'none');
    expect(authenticated.every((r) => r.auth === 'session')).toBe(true);
  });

  it('uses Basic auth when configured, and when the BMC has no SessionService', async () => {
    const d = await driverFor({}, { auth: 'basic' });
    await d.status();
    await d.close();
    expect(bmc!.requests.some((r) => r.path.includes('Sessions'))).toBe(false);
    expect(bmc!.requests.filter((r) => r.path.includes('Systems')).every((r) => r.auth === 'basic')).toBe(
      true,
    );
    await bmc!.close();
    const d2 = await driverFor({ noSessions: true });
    expect(await d2.status()).toBe('off');
    await d2.close();
  });

  it('cycles with a ResetType the BMC allows', async () => {
    let d = await driverFor({ initialPower: 'On' });
    await d.cycle();
    expect(bmc!.resets).toEqual(['ForceRestart']);
    await d.close();
    await bmc!.close();
    d = await driverFor({ initialPower: 'On', resetTypes: ['On', 'ForceOff', 'PowerCycle'] });
    await d.cycle();
    expect(bmc!.resets).toEqual(['PowerCycle']);
    const refused = await failure(driverFor({ resetTypes: ['On'] }).then((x) => x.off()));
    expect(refused.code).toBe('bmc:unsupported');
    expect(refused.message).toMatch(/allows ResetType On/);
  });

  it('picks the only system, or the systemId; several without a systemId is an error naming them', async () => {
    const d = await driverFor({ systems: ['System.Embedded.1', 'System.Embedded.2'] });
    const e = await failure(d.status());
    expect(e.code).toBe('bmc:not-found');
    expect(e.message).toMatch(/2 systems .*System\.Embedded\.1.*set bmc\.systemId/);
    await d.close();
    await bmc!.close();
    const picked = await driverFor({ systems: ['a', 'b'] }, { systemId: 'b' });
    await picked.pxeOnce('legacy');
    expect(bmc!.requests.some((r) => r.method === 'PATCH' && r.path === '/redfish/v1/Systems/b')).toBe(true);
    expect(bmc!.state.boot.mode).toBe('Legacy');
  });

  it('sends If-Match with the ETag when the BMC asks for it (428)', async () => {
    const d = await driverFor({ requireIfMatch: true });
    expect((await d.pxeOnce('uefi')).verified).toBe(true);
    const patches = bmc!.requests.filter((r) => r.method === 'PATCH');
    expect(patches.map((p) => p.ifMatch)).toEqual([undefined, 'W/"1"']);
  });

  it('sets the override again when the BMC silently reverted it (Supermicro), then reports', async () => {
    const once = await driverFor({ revertOverrides: 1 });
    expect(await once.pxeOnce('uefi')).toEqual({
      verified: true,
      notes: ['the BMC reverted the override once; set again'],
    });
    await bmc!.close();
    const always = await driverFor({ revertOverrides: 5 });
    const e = await failure(always.pxeOnce('uefi'));
    expect(e.code).toBe('bmc:override-reverted');
    expect(e.message).toMatch(/reads back Target=None, Enabled=Disabled/);
    expect(bmc!.requests.filter((r) => r.method === 'PATCH')).toHaveLength(2);
  });

  it('proceeds when the BMC answers 400 but applied the override (Dell)', async () => {
    const d = await driverFor({ dell400: true });
    expect(await d.pxeOnce('uefi')).toEqual({
      verified: true,
      notes: ['the BMC answered 400 but applied it'],
    });
  });

  it('reports a busy BMC (503) as transient, in its own words', async () => {
    const d = await driverFor({ busy: 10 });
    const e = await failure(d.status());
    expect(e).toMatchObject({ code: 'bmc:busy', transient: true, status: 502 });
    expect(e.message).toBe('HTTP 503: The service is temporarily unavailable (busy); retry later');
  });

  it('reports a wrong password as not transient, without the password', async () => {
    const d = await driverFor({ password: 'right-one' }, { password: 'Wr0ng-Passw0rd' });
    const e = await failure(d.status());
    expect(e).toMatchObject({ code: 'bmc:auth', transient: false });
    expect(e.message).toBe('HTTP 401: Invalid username or password');
  });

  it('refuses a self-signed certificate unless verifyTls is false, and says so', async () => {
    const strict = await driverFor({ tls: cert });
    const e = await failure(strict.status());
    expect(e.code).toBe('bmc:tls');
    expect(e.message).toMatch(/certificate not trusted .*verifyTls/);
    expect(bmc!.requests).toHaveLength(0);
    await strict.close();
    await bmc!.close();
    const relaxed = await driverFor({ tls: cert }, { verifyTls: false });
    expect(relaxed.warnings).toEqual(['TLS certificate not verified: verifyTls is false']);
    expect(await relaxed.status()).toBe('off');
    await relaxed.close();
    expect(bmc!.loggedOut).toBe(1);
  });
});

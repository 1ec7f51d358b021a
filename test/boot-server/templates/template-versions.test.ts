import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BootServer, createBootServer } from '../../../boot-server/create-boot-server.js';
import { type Core, createCore } from '../../../core/create-core.js';
import { createLogger } from '../../../core/logger.js';
import { testConfig } from '../../support/test-database.js';
import { until } from '../../support/until.js';
import { startTestBootServer, TEST_API_TOKEN, type TestBootServer } from '../helpers/boot-server-fixture.js';

const NAME = 'windows/autounattend.xml';
const builtin = readFileSync('templates/windows/autounattend.xml.hbs', 'utf8');
/** The built-in answer file with a marker comment, a change every validator accepts. */
const marked = (marker: string) => builtin.replace('<unattend ', `<!-- ${marker} -->\n<unattend `);
const JOIN_PASSWORD = 'Join-Secret:42@corp';

let t: TestBootServer;
let nextMac = 0x10;

beforeAll(async () => {
  t = await startTestBootServer({
    WINDOWS_DOMAIN: 'corp.example.com',
    WINDOWS_JOIN_USER: 'CORP\\svc-join',
    WINDOWS_JOIN_PASSWORD: JOIN_PASSWORD,
  });
});
afterAll(async () => {
  await t?.close();
});

const put = async (content: string) => {
  const res = await t.apiFetch(`/api/v1/templates/${NAME}`, { method: 'PUT', json: { content } });
  const body = await res.json();
  expect(res.status, body.detail).toBe(200);
  return body as { version: number; content: string };
};

/** An approved deployment (ws2025 by default); `booted` fetches its install script, which pins its templates. */
async function deployment(opts: { booted?: boolean; os?: string } = {}) {
  const mac = `52:54:00:00:07:${(nextMac++).toString(16).padStart(2, '0')}`;
  const res = await t.apiFetch('/api/v1/deployments', {
    method: 'POST',
    json: { mac, os: opts.os ?? 'ws2025' },
  });
  const created = (await res.json()) as { id: number; password: string };
  await t.apiFetch(`/api/v1/deployments/${created.id}/approve`, { method: 'POST', json: {} });
  const row = await t.core.deployments.repository().get(created.id);
  const token = t.core.deployments.tokenFor(row);
  if (opts.booted) {
    const script = await fetch(`${t.boot}/ipxe/${mac}?platform=efi&manufacturer=QEMU&product=Standard%20PC`);
    expect(script.status).toBe(200);
  }
  return {
    ...created,
    token,
    answerFile: async (base = t.boot) => (await fetch(`${base}/d/${token}/autounattend.xml`)).text(),
  };
}

describe('template versions', () => {
  it('restore brings back the old text as a new version, and machines get it', async () => {
    const v1 = await put(marked('version A'));
    const v2 = await put(marked('version B'));
    expect(v2.version).toBe(v1.version + 1);
    const res = await t.apiFetch(`/api/v1/templates/${NAME}/versions/${v1.version}/restore`, {
      method: 'POST',
    });
    expect(res.status).toBe(200);
    const restored = await res.json();
    expect(restored).toMatchObject({
      name: NAME,
      version: v2.version + 1,
      source: 'operator',
      content: marked('version A'),
    });

    const versions = await (await t.apiFetch(`/api/v1/templates/${NAME}/versions`)).json();
    expect(versions.active).toBe(restored.version);
    expect(versions.items.map((v: { version: number }) => v.version)).toEqual([
      restored.version,
      v2.version,
      v1.version,
      0,
    ]);
    expect(versions.items[0].restoredFrom).toBe(v1.version);

    const d = await deployment();
    const xml = await d.answerFile();
    expect(xml).toContain('<!-- version A -->');
    expect(xml).not.toContain('version B');
  });

  it('DELETE goes back to the built-in', async () => {
    await put(marked('version C'));
    const res = await t.apiFetch(`/api/v1/templates/${NAME}`, { method: 'DELETE' });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ version: 0, source: 'builtin', content: builtin });
    expect(await (await deployment()).answerFile()).not.toContain('version C');
  });

  it('a deployment that started before a PUT keeps its versions; the API shows them', async () => {
    await put(marked('before the install'));
    const started = await deployment({ booted: true });
    const saved = await put(marked('during the install'));

    expect(await started.answerFile()).toContain('<!-- before the install -->');
    expect(await (await deployment()).answerFile()).toContain('<!-- during the install -->');

    const shown = await (await t.apiFetch(`/api/v1/deployments/${started.id}`)).json();
    expect(shown.templates).toContainEqual({ name: NAME, version: saved.version - 1, source: 'operator' });
    expect(shown.templates).toContainEqual({
      name: 'ipxe/install-wimboot.ipxe',
      version: 0,
      source: 'builtin',
    });
    expect(shown.events.find((e: { stage: string }) => e.stage === 'booting').message).toBe(
      'UEFI, unknown arch, profile kvm (auto: rule 1 of kvm (manufacturer "QEMU"))',
    );
  });

  it("an image's own copy changes that image only, and DELETE hands it back the shared one", async () => {
    const own = 'images/ws2022/windows/autounattend.xml';
    const res = await t.apiFetch(`/api/v1/templates/${own}`, {
      method: 'PUT',
      json: { content: marked('ws2022 only') },
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ name: own, version: 1, source: 'operator', kind: 'unattend' });
    const listed = (await (await t.apiFetch('/api/v1/templates')).json()).items;
    expect(listed).toContainEqual(expect.objectContaining({ name: own, version: 1, source: 'operator' }));

    const ws2022 = await deployment({ os: 'ws2022', booted: true });
    expect(await ws2022.answerFile()).toContain('<!-- ws2022 only -->');
    expect(await (await deployment()).answerFile()).not.toContain('ws2022 only');
    const shown = await (await t.apiFetch(`/api/v1/deployments/${ws2022.id}`)).json();
    expect(shown.templates).toContainEqual({ name: NAME, version: 1, source: 'operator', from: own });

    await t.apiFetch(`/api/v1/templates/${own}`, { method: 'DELETE' });
    expect(await (await deployment({ os: 'ws2022' })).answerFile()).not.toContain('ws2022 only');
    // The machine that started with it keeps it.
    expect(await ws2022.answerFile()).toContain('<!-- ws2022 only -->');
  });

  it('preview renders what a machine gets, with every secret masked', async () => {
    const d = await deployment({ booted: true });
    const res = await t.apiFetch(`/api/v1/templates/${NAME}/preview`, {
      method: 'POST',
      json: { deployment: d.id },
    });
    expect(res.status).toBe(200);
    const { content } = await res.json();
    expect(content).toContain('<JoinDomain>corp.example.com</JoinDomain>');
    expect(content).toContain('<Value>********</Value>');
    expect(content).toContain('<Password>********</Password>');
    expect(content).not.toContain(d.password);
    expect(content).not.toContain(JOIN_PASSWORD);
    expect(content).not.toContain(d.token);
    expect(content).not.toContain(d.token.split('.')[1]);

    const linux = await t.apiFetch('/api/v1/templates/ubuntu%2Fuser-data/preview', {
      method: 'POST',
      json: { image: 'ubuntu2404', mac: '52-54-00-aa-bb-cc', firmware: 'pcbios', profile: 'kvm' },
    });
    const userData = (await linux.json()).content as string;
    expect(linux.status).toBe(200);
    expect(userData).toContain('password: "********"');
    expect(userData).not.toMatch(/\$6\$/);
    expect(userData).toMatch(/endpoint: "http:\/\/10\.0\.2\.2:8080\/cb\/\*\*\*\*\*\*\*\*"/);
  });
});

describe('two processes on one database', () => {
  let second: { core: Core; server: BootServer; boot: string };

  beforeAll(async () => {
    const config = testConfig({
      DATABASE_URL: t.core.config.DATABASE_URL,
      BOOT_HOST: '127.0.0.1',
      BOOT_PORT: '0',
      API_HOST: '127.0.0.1',
      API_PORT: '0',
      API_TOKEN: TEST_API_TOKEN,
      WINDOWS_DOMAIN: 'corp.example.com',
      WINDOWS_JOIN_USER: 'CORP\\svc-join',
      WINDOWS_JOIN_PASSWORD: JOIN_PASSWORD,
    });
    const core = await createCore(config, createLogger({ level: 'silent' }), { migrate: false });
    const server = createBootServer(core);
    const { bootPort } = await server.start();
    second = { core, server, boot: `http://127.0.0.1:${bootPort}` };
  });
  afterAll(async () => {
    await second?.server.stop();
    await second?.core.close();
  });

  it('a PUT on one is what the other renders within a second', async () => {
    const d = await deployment();
    expect(await d.answerFile(second.boot)).not.toContain('saved on the first');
    await put(marked('saved on the first'));
    const savedAt = Date.now();
    await until(
      async () => (await d.answerFile(second.boot)).includes('<!-- saved on the first -->'),
      'the second process renders the new version',
      1000,
    );
    expect(Date.now() - savedAt).toBeLessThan(1000);
  });
});

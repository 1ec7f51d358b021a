import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alice, approver, bob } from '../support/test-core.js';
import { startTestBootServer, type TestBootServer, TINY_IMAGE } from './helpers/boot-server-fixture.js';

// A copy of templates/ with a `fixture` artifact folder, so these tests do not depend on the Windows
// and Linux templates other work owns.
const dir = mkdtempSync(join(tmpdir(), 'octofleet-templates-'));
cpSync('templates/ipxe', join(dir, 'ipxe'), { recursive: true });
cpSync('templates/partials', join(dir, 'partials'), { recursive: true });
mkdirSync(join(dir, 'fixture'));
writeFileSync(
  join(dir, 'fixture/user-data.hbs'),
  '#cloud-config\nhostname: {{yaml deployment.hostname}}\npassword: {{yaml secrets.password}}\n',
);
writeFileSync(
  join(dir, 'fixture/unattend.xml.hbs'),
  '<ComputerName>{{deployment.hostname}}</ComputerName><Cb>{{callbackUrl}}</Cb>\n',
);
writeFileSync(join(dir, 'fixture/setup.cmd.hbs'), 'set HOST={{cmd deployment.hostname}}\r\n');
writeFileSync(join(dir, 'fixture/password.cmd.hbs'), 'set PW={{cmd secrets.password}}\r\n');

const PASSWORD = 'Secret%PATH%9x';
let t: TestBootServer;
let nextMac = 0x10;

beforeAll(async () => {
  t = await startTestBootServer({ TEMPLATES_DIR: dir, WINDOWS_ADMIN_PASSWORD: PASSWORD });
  await t.core.deployments.images().create({ ...TINY_IMAGE, templates: 'fixture' });
  await t.core.deployments.images().create({
    id: 'winfixture',
    name: 'Windows fixture',
    family: 'windows',
    templates: 'fixture',
    boot: {
      method: 'wimboot',
      wimboot: 'w/wimboot',
      bootWim: 'w/boot.wim',
      bcd: 'w/BCD',
      bootSdi: 'w/boot.sdi',
      installWim: 'w/install.wim',
    },
    editions: { standard: { imageName: 'Windows Server SERVERSTANDARD' } },
  });
  await t.core.deployments.images().create({ ...TINY_IMAGE, id: 'notemplates' });
});
afterAll(async () => {
  await t?.close();
  rmSync(dir, { recursive: true, force: true });
});

async function approved(os = 'tinylinux', hostname = 'srv01') {
  const mac = `52:54:00:00:03:${(nextMac++).toString(16).padStart(2, '0')}`;
  const { deployment, password } = await t.core.deployments.request({ mac, os, hostname }, alice);
  await t.core.deployments.approve(deployment.id, bob, approver);
  return { id: deployment.id, base: `${t.boot}/d/${t.core.deployments.tokenFor(deployment)}`, password };
}

describe('GET /d/:token/:artifact', () => {
  it('renders the artifact with the deployment, its URLs and secrets, typed by name', async () => {
    const d = await approved();
    const res = await fetch(`${d.base}/user-data`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/yaml; charset=utf-8');
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(await res.text()).toBe(
      `#cloud-config\nhostname: "srv01"\npassword: ${JSON.stringify(d.password)}\n`,
    );

    const xml = await fetch(`${d.base}/unattend.xml`);
    expect(xml.headers.get('content-type')).toBe('application/xml; charset=utf-8');
    expect(await xml.text()).toContain(`<Cb>http://10.0.2.2:8080/cb/${d.base.split('/d/')[1]}</Cb>`);
  });

  it('serves cmd files as text', async () => {
    const d = await approved('winfixture', 'WIN01');
    const res = await fetch(`${d.base}/setup.cmd`);
    expect(res.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    expect(await res.text()).toBe('set HOST=WIN01\r\n');
  });

  it('answers 500 when a value cannot be rendered, without the secret reaching the log', async () => {
    const d = await approved('winfixture', 'WIN02');
    // The fixed Windows password has % in it, which cmd cannot carry: a 500, never a broken script.
    const res = await fetch(`${d.base}/password.cmd`);
    expect(res.status).toBe(500);
    expect(await res.json()).toEqual({ error: 'template:render-failed', detail: 'internal server error' });
    const failure = t.logs.find(
      (l) => l.msg === 'request failed' && JSON.stringify(l).includes('password.cmd'),
    );
    expect(failure).toBeDefined();
    expect(JSON.stringify(t.logs)).not.toContain(PASSWORD);
  });

  it('answers one and the same 404 for every miss', async () => {
    const d = await approved();
    const ended = await approved();
    await t.core.deployments.cancel(ended.id, alice, approver);
    const other = await approved('notemplates');
    const misses = [
      `${d.base}/nope.xml`, // no such template
      `${d.base}/..%2F..%2Fipxe%2Fboot.ipxe`, // path tricks
      `${d.base}/.hidden`,
      `${t.boot}/d/${d.base.split('/d/')[1]!.replace(/.$/, (c) => (c === 'A' ? 'B' : 'A'))}/user-data`, // forged token
      `${t.boot}/d/123456.${'A'.repeat(43)}/user-data`, // deployment that does not exist
      `${ended.base}/user-data`, // deployment no longer active
      `${other.base}/user-data`, // image without a template folder
    ];
    for (const url of misses) {
      const res = await fetch(url);
      expect([url, res.status, await res.text()]).toEqual([
        url,
        404,
        '{"error":"not-found","detail":"not found"}',
      ]);
    }
  });
});

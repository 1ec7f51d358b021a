import { beforeAll, describe, expect, it } from 'vitest';
import { ValidationError } from '../../../core/errors.js';
import { validateHostname } from '../../../core/hostname.js';
import type { OsImage } from '../../../core/images/os-image.entity.js';
import { UnsafeValueError } from '../../../core/render/escape.js';
import { type TemplateEngine, TemplateError } from '../../../core/render/template-engine.js';
import { catalogImages, type MachineCase, machineContexts, windowsEngine } from './windows-render.js';
import { component, parseXml, text, validateUnattend } from './xml-checks.js';

/** Values that would change a cmd script, an XML document or an iPXE script if rendered raw. */
const HOSTILE = [
  'SRV01 & shutdown /s',
  'a|b',
  'x<y>z',
  'caret^',
  '%PATH%',
  'SRV01</ComputerName><ComputerName>EVIL',
  '"quoted"',
  "it's",
  'line1\nline2',
  ']]><!--',
];
const JOIN = component('specialize', 'Microsoft-Windows-UnattendedJoin');
const ws2025: MachineCase = {
  os: 'ws2025',
  edition: 'standard',
  profile: 'kvm',
  platform: 'efi',
  settings: 'joined',
};

/** The TemplateError a render throws, with the escaper's error as its cause. */
function renderError(render: () => unknown): TemplateError {
  try {
    render();
  } catch (error) {
    expect(error).toBeInstanceOf(TemplateError);
    return error as TemplateError;
  }
  throw new Error('rendering succeeded although the value is hostile');
}

describe('hostile hostnames, domains and OUs', () => {
  let images: Map<string, OsImage>;
  let engine: TemplateEngine;
  /** Contexts of a joined ws2025 machine with `patch` applied to the Windows settings and the deployment. */
  const contexts = (patch: { hostname?: string; domain?: string; domainOu?: string; joinUser?: string }) => {
    const { install, artifacts } = machineContexts(engine, images, ws2025);
    for (const ctx of [install, artifacts]) {
      if (patch.hostname !== undefined) ctx.deployment.hostname = patch.hostname;
      const w = ctx.settings.windows;
      if (patch.domain !== undefined) w.domain = patch.domain;
      if (patch.domainOu !== undefined) w.domainOu = patch.domainOu;
      if (patch.joinUser !== undefined) w.joinAccount = { domain: 'CORP', username: patch.joinUser };
    }
    return { install, artifacts };
  };

  beforeAll(async () => {
    images = await catalogImages();
    engine = windowsEngine();
  });

  it.each(HOSTILE)('the API refuses the hostname %j for Windows', (value) => {
    expect(() => validateHostname(value, 'windows')).toThrow(ValidationError);
  });

  it.each(HOSTILE)('autounattend.xml keeps %j intact as text in every field it reaches', async (value) => {
    const { artifacts } = contexts({ hostname: value, domain: value, domainOu: value, joinUser: value });
    artifacts.secrets = { password: value, joinPassword: value };
    const xml = engine.render('windows/autounattend.xml', artifacts);
    const doc = parseXml(xml);
    expect(text(doc, `${component('specialize', 'Microsoft-Windows-Shell-Setup')}/u:ComputerName`)).toBe(
      value,
    );
    expect(text(doc, `${JOIN}/u:Identification/u:JoinDomain`)).toBe(value);
    expect(text(doc, `${JOIN}/u:Identification/u:MachineObjectOU`)).toBe(value);
    expect(text(doc, `${JOIN}/u:Identification/u:Credentials/u:Username`)).toBe(value);
    expect(text(doc, `${JOIN}/u:Identification/u:Credentials/u:Password`)).toBe(value);
    expect(text(doc, '//u:AdministratorPassword/u:Value')).toBe(value);
    expect(await validateUnattend([{ fileName: 'hostile.xml', contents: xml }])).toEqual([]);
  });

  it('autounattend.xml refuses control characters XML cannot carry, without quoting the value', () => {
    const { artifacts } = contexts({});
    artifacts.secrets = { password: 'secret\u0001value', joinPassword: null };
    const error = renderError(() => engine.render('windows/autounattend.xml', artifacts));
    expect(error.message).not.toContain('secret');
  });

  it.each(HOSTILE.filter((v) => /[&|<>^%"'\n]/.test(v)))(
    'startnet.cmd refuses to render the hostname %j',
    (value) => {
      const error = renderError(() =>
        engine.render('windows/startnet.cmd', contexts({ hostname: value }).artifacts),
      );
      expect(error.cause ?? error.message).toBeTruthy();
      expect(error.message).toMatch(/not safe for a cmd script/);
    },
  );

  it.each(HOSTILE.filter((v) => /[&|<>^%"'\n]/.test(v)))(
    'SetupComplete.cmd refuses to render the hostname or domain %j',
    (value) => {
      for (const patch of [{ hostname: value }, { domain: value }]) {
        const error = renderError(() =>
          engine.render('windows/SetupComplete.cmd', contexts(patch).artifacts),
        );
        expect(error.message).toMatch(/not safe for a cmd script/);
      }
    },
  );

  // `%` and `'` mean nothing to iPXE; whitespace splits arguments and `<>|^"` are refused as well.
  it.each(HOSTILE.filter((v) => /[\s<>|^"]/.test(v)))(
    'the wimboot script refuses to render the hostname %j',
    (value) => {
      const error = renderError(() =>
        engine.render('ipxe/install-wimboot.ipxe', contexts({ hostname: value }).install),
      );
      expect(error.message).toMatch(/not safe for an iPXE script/);
    },
  );

  it('escapers name their own error class (what the templates rely on)', () => {
    expect(() => engine.render('windows/startnet.cmd', contexts({ hostname: 'a&b' }).artifacts)).toThrow(
      TemplateError,
    );
    expect(new UnsafeValueError('x')).toBeInstanceOf(Error);
  });

  it('refuses a catalog image name cmd cannot carry (images are editable through the API)', () => {
    const { artifacts } = contexts({});
    artifacts.image.imageName = 'Windows Server 2025 & del /q C:\\*';
    expect(renderError(() => engine.render('windows/startnet.cmd', artifacts)).message).toMatch(
      /not safe for a cmd script/,
    );
  });

  it('reduces what the machine reports about itself to inert values', () => {
    const reported: MachineCase = {
      ...ws2025,
      profile: 'baremetal',
      platform: 'pcbios&echo',
      product: 'R650" & format C: & "',
    } as unknown as MachineCase;
    const script = engine.render('windows/startnet.cmd', machineContexts(engine, images, reported).artifacts);
    expect(script).toContain('/drivers/baremetal/r650-format-c.wim"');
    expect(script).toContain('convert gpt'); // an unknown platform is treated as UEFI
    expect(script).not.toMatch(/format C:|pcbios&/);
  });
});

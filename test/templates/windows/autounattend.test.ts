import { beforeAll, describe, expect, it } from 'vitest';
import type { OsImage } from '../../../core/images/os-image.entity.js';
import type { TemplateEngine } from '../../../core/render/template-engine.js';
import { CASES } from './windows-cases.js';
import {
  catalogImages,
  JOIN_PASSWORD,
  type MachineCase,
  machineContexts,
  PASSWORD,
  TOKEN,
  windowsEngine,
} from './windows-render.js';
import { component, parseXml, text, texts, validateUnattend } from './xml-checks.js';

const SHELL = component('oobeSystem', 'Microsoft-Windows-Shell-Setup');
const INTL = component('oobeSystem', 'Microsoft-Windows-International-Core');
const SPECIALIZE_SHELL = component('specialize', 'Microsoft-Windows-Shell-Setup');
const JOIN = component('specialize', 'Microsoft-Windows-UnattendedJoin');

describe('autounattend.xml', () => {
  let images: Map<string, OsImage>;
  let engine: TemplateEngine;
  const render = (c: MachineCase) =>
    engine.render('windows/autounattend.xml', machineContexts(engine, images, c).artifacts);
  const ws2025: MachineCase = { os: 'ws2025', edition: 'standard', profile: 'kvm', platform: 'efi' };

  beforeAll(async () => {
    images = await catalogImages();
    engine = windowsEngine();
  });

  it('is valid against the unattend XSD for every case of the golden matrix', async () => {
    const files = CASES.map((c) => ({ fileName: `${c.name}.xml`, contents: render(c) }));
    expect(await validateUnattend(files)).toEqual([]);
  });

  it('fails XSD validation when a component lacks its required attributes (the check can fail)', async () => {
    const broken = render(ws2025).replace(' publicKeyToken="31bf3856ad364e35"', '');
    expect((await validateUnattend([{ fileName: 'broken.xml', contents: broken }])).join('\n')).toMatch(
      /publicKeyToken/,
    );
  });

  it.each(CASES)('$name is well-formed with the edition product key and no autologon', (c) => {
    const doc = parseXml(render(c));
    expect(texts(doc, '/u:unattend/u:settings/@pass')).toEqual(['specialize', 'oobeSystem']);
    expect(text(doc, `${SPECIALIZE_SHELL}/u:ProductKey`)).toBe(
      images.get(c.os)!.editions![c.edition]!.productKey,
    );
    expect(texts(doc, '//u:AutoLogon')).toEqual([]);
    expect(texts(doc, '//u:component/@processorArchitecture').every((a) => a === 'amd64')).toBe(true);
  });

  it('names the computer, sets time zone, de-DE locales and keeps the image UI language by default', () => {
    const doc = parseXml(render(ws2025));
    expect(text(doc, `${SPECIALIZE_SHELL}/u:ComputerName`)).toBe('SRV-WIN01');
    expect(text(doc, `${SPECIALIZE_SHELL}/u:TimeZone`)).toBe('W. Europe Standard Time');
    for (const setting of ['InputLocale', 'SystemLocale', 'UserLocale']) {
      expect(text(doc, `${INTL}/u:${setting}`)).toBe('de-DE');
    }
    expect(texts(doc, `${INTL}/u:UILanguage`)).toEqual([]);
  });

  it('sets the UI language only when one is configured', () => {
    const doc = parseXml(render({ ...ws2025, settings: 'joined' }));
    expect(text(doc, `${INTL}/u:UILanguage`)).toBe('en-US');
  });

  it('sets the local Administrator password, enables the account and skips OOBE', () => {
    const doc = parseXml(render(ws2025));
    expect(text(doc, `${SHELL}/u:UserAccounts/u:AdministratorPassword/u:Value`)).toBe(PASSWORD);
    expect(text(doc, `${SHELL}/u:UserAccounts/u:AdministratorPassword/u:PlainText`)).toBe('true');
    for (const hide of [
      'HideEULAPage',
      'HideLocalAccountScreen',
      'HideOEMRegistrationScreen',
      'HideOnlineAccountScreens',
      'HideWirelessSetupInOOBE',
    ]) {
      expect(text(doc, `${SHELL}/u:OOBE/u:${hide}`), hide).toBe('true');
    }
    expect(text(doc, `${SHELL}/u:OOBE/u:ProtectYourPC`)).toBe('3');
    const commands = texts(
      doc,
      `${component('specialize', 'Microsoft-Windows-Deployment')}//u:RunSynchronousCommand/u:Path`,
    );
    expect(commands).toContain('net.exe user Administrator /active:yes');
  });

  it('enables Remote Desktop with Network Level Authentication and its firewall rule group', () => {
    const doc = parseXml(render(ws2025));
    expect(
      text(
        doc,
        `${component('specialize', 'Microsoft-Windows-TerminalServices-LocalSessionManager')}/u:fDenyTSConnections`,
      ),
    ).toBe('false');
    expect(
      text(
        doc,
        `${component('specialize', 'Microsoft-Windows-TerminalServices-RDP-WinStationExtensions')}/u:UserAuthentication`,
      ),
    ).toBe('1');
    const group = `${component('specialize', 'Networking-MPSSVC-Svc')}/u:FirewallGroups/u:FirewallGroup`;
    expect(text(doc, `${group}/@wcm:action`)).toBe('add');
    expect(text(doc, `${group}/u:Group`)).toBe('@FirewallAPI.dll,-28752');
    expect(text(doc, `${group}/u:Active`)).toBe('true');
    expect(text(doc, `${group}/u:Profile`)).toBe('all');
  });

  it("reports the specialize pass to this deployment's callback URL", () => {
    const doc = parseXml(render(ws2025));
    const path = text(
      doc,
      `${component('specialize', 'Microsoft-Windows-Deployment')}//u:RunSynchronousCommand[u:Order='1']/u:Path`,
    );
    expect(path).toMatch(/-d status=specialize /);
    expect(path.endsWith(` http://10.0.2.2:8080/cb/${TOKEN}`)).toBe(true);
    expect(path.length).toBeLessThanOrEqual(259); // RunSynchronousCommand Path limit
  });

  it('joins no domain unless one is configured', () => {
    expect(texts(parseXml(render(ws2025)), JOIN)).toEqual([]);
  });

  it('joins the configured domain and OU with DOMAIN\\user credentials split for UnattendedJoin', () => {
    const doc = parseXml(render({ ...ws2025, settings: 'joined' }));
    expect(text(doc, `${JOIN}/u:Identification/u:JoinDomain`)).toBe('corp.example.com');
    expect(text(doc, `${JOIN}/u:Identification/u:MachineObjectOU`)).toBe(
      'OU=Servers,OU=Octofleet,DC=corp,DC=example,DC=com',
    );
    expect(text(doc, `${JOIN}/u:Identification/u:Credentials/u:Domain`)).toBe('CORP');
    expect(text(doc, `${JOIN}/u:Identification/u:Credentials/u:Username`)).toBe('svc-join');
    expect(text(doc, `${JOIN}/u:Identification/u:Credentials/u:Password`)).toBe(JOIN_PASSWORD);
  });

  it('keeps a UPN join account whole without <Domain>, and leaves the OU out when none is configured', () => {
    const doc = parseXml(render({ ...ws2025, settings: 'upn-ps1' }));
    // A UPN names its domain; UnattendedJoin fails the join when <Domain> is given as well.
    expect(texts(doc, `${JOIN}/u:Identification/u:Credentials/u:Domain`)).toEqual([]);
    expect(text(doc, `${JOIN}/u:Identification/u:Credentials/u:Username`)).toBe('svc-join@corp.example.com');
    expect(texts(doc, `${JOIN}//u:MachineObjectOU`)).toEqual([]);
  });

  it("refuses to render without the deployment's secrets", () => {
    const { artifacts } = machineContexts(engine, images, ws2025);
    const { secrets: _secrets, ...withoutSecrets } = artifacts;
    expect(() => engine.render('windows/autounattend.xml', withoutSecrets)).toThrow(
      /rendering windows\/autounattend.xml failed/,
    );
  });
});

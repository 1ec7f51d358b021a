import { beforeAll, describe, expect, it } from 'vitest';
import { STAGES } from '../../../core/deployments/stages.js';
import type { OsImage } from '../../../core/images/os-image.entity.js';
import type { TemplateEngine } from '../../../core/render/template-engine.js';
import {
  catalogImages,
  type MachineCase,
  machineContexts,
  type SettingsName,
  TOKEN,
  windowsEngine,
} from './windows-render.js';

const stages = (script: string) => [...script.matchAll(/^call :report (\w+) /gm)].map((m) => m[1]);
/** The lines of one label's block, up to the next label. */
const block = (script: string, label: string) => {
  const start = script.indexOf(`\r\n:${label}\r\n`);
  if (start < 0) throw new Error(`no :${label}`);
  const rest = script.slice(start + label.length + 5);
  const end = rest.search(/\r\n:\w+\r\n/);
  return end < 0 ? rest : rest.slice(0, end);
};
const DELETE =
  'del /f /q "%SystemRoot%\\Panther\\unattend.xml" "%SystemRoot%\\Panther\\Unattend\\unattend.xml"';

describe('SetupComplete.cmd', () => {
  let images: Map<string, OsImage>;
  let engine: TemplateEngine;
  const render = (settings: SettingsName) => {
    const c: MachineCase = {
      os: 'ws2025',
      edition: 'standard',
      profile: 'hyperv-gen2',
      platform: 'efi',
      settings,
    };
    return engine.render('windows/SetupComplete.cmd', machineContexts(engine, images, c).artifacts);
  };

  beforeAll(async () => {
    images = await catalogImages();
    engine = windowsEngine();
  });

  it('reports configuring, deletes the answer file and reports done when nothing else is configured', () => {
    const script = render('default');
    expect(script).toContain(`set "CB=http://10.0.2.2:8080/cb/${TOKEN}"`);
    expect(stages(script)).toEqual(['configuring', 'done', 'failed']);
    expect(script).not.toMatch(/PartOfDomain|AGENT/);
    expect(script.indexOf('call :delete_answer_file || goto fail')).toBeLessThan(
      script.indexOf('call :report done'),
    );
    expect(block(script, 'delete_answer_file')).toContain(DELETE);
    expect(block(script, 'delete_answer_file')).toContain(
      'if exist "%SystemRoot%\\Panther\\unattend.xml" exit /b 1',
    );
  });

  it('checks the domain join and reports domain_joined, or failed with the reason', () => {
    const script = render('joined');
    expect(script).toMatch(
      /^powershell\.exe .*\(Get-CimInstance Win32_ComputerSystem\)\.PartOfDomain.* \|\| goto not_joined\r$/m,
    );
    expect(script).toContain('call :report domain_joined "Joined corp.example.com" 96');
    const notJoined = block(script, 'not_joined');
    expect(notJoined).toContain('call :delete_answer_file');
    expect(notJoined).toContain('call :report failed "Domain join to corp.example.com did not happen');
    expect(notJoined.indexOf(':delete_answer_file')).toBeLessThan(notJoined.indexOf(':report failed'));
  });

  it('says when KB5020276 refused to re-use an existing computer account, and how to fix it', () => {
    const script = render('joined');
    const notJoined = block(script, 'not_joined');
    expect(notJoined).toContain(
      'findstr /i /c:"re-use blocked" /c:"0xaac" "%SystemRoot%\\debug\\NetSetup.LOG" >NUL 2>&1 && goto reuse_blocked',
    );
    const reuse = block(script, 'reuse_blocked');
    expect(reuse).toContain('a computer account SRV-WIN01 already exists and KB5020276 blocks re-using it');
    expect(reuse).toContain('Delete the computer object');
  });

  it('deletes the answer file on every failure before reporting it', () => {
    const fail = block(render('joined'), 'fail');
    expect(fail).toContain(
      'call :delete_answer_file || set "LEFT= (and the answer file could not be deleted)"',
    );
    expect(fail).toContain('call :report failed "First boot: %STEP% failed with error level %RC%%LEFT%"');
  });

  it('installs an MSI agent quietly, accepting 3010 (restart pending), and reports agent_installed', () => {
    const script = render('joined');
    expect(script).toContain(
      '"http://10.0.2.2:8080/files/agent/octofleet-agent.msi" >>"%LOG%" 2>&1 || goto fail',
    );
    expect(script).toContain('start "" /wait msiexec.exe /i "%AGENT%" /qn /norestart');
    expect(script).toContain('if %ERRORLEVEL% neq 0 if %ERRORLEVEL% neq 3010 goto fail');
    expect(stages(script)).toEqual([
      'configuring',
      'domain_joined',
      'progress',
      'agent_installed',
      'done',
      'failed', // not joined
      'failed', // not joined: KB5020276 refused to re-use the computer account
      'failed', // :fail
    ]);
  });

  it('runs a PowerShell agent installer with -File, and an .exe with its silent switch', () => {
    expect(render('upn-ps1')).toContain(
      'powershell.exe -NoProfile -NonInteractive -ExecutionPolicy Bypass -File "%AGENT%"',
    );
    const exe = render('agent-exe');
    expect(exe).toContain('set "AGENT=%SystemRoot%\\Temp\\octofleet-agent.exe"');
    expect(exe).toContain('start "" /wait "%AGENT%" /S /norestart\r\nif errorlevel 1 goto fail');
    expect(exe).not.toContain('PartOfDomain');
  });

  it('reports only stages the callback route accepts', () => {
    for (const settings of ['default', 'joined', 'upn-ps1', 'agent-exe'] as const) {
      for (const stage of stages(render(settings))) expect(Object.keys(STAGES)).toContain(stage);
    }
  });
});

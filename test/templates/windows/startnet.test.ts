import { beforeAll, describe, expect, it } from 'vitest';
import { STAGES } from '../../../core/deployments/stages.js';
import type { OsImage } from '../../../core/images/os-image.entity.js';
import type { TemplateEngine } from '../../../core/render/template-engine.js';
import { CASES } from './windows-cases.js';
import { catalogImages, type MachineCase, machineContexts, TOKEN, windowsEngine } from './windows-render.js';

const lines = (script: string) => script.split('\r\n');
/** Stages in the order the script reports them (`call :report <stage> …`). */
const stages = (script: string) => [...script.matchAll(/^call :report (\w+) /gm)].map((m) => m[1]);
/** The commands that change the machine, each of which must stop the script when it fails. */
const CHECKED = /^(wpeinit|diskpart|dism|bcdboot|mkdir "%WORK%)/;

describe('startnet.cmd', () => {
  let images: Map<string, OsImage>;
  let engine: TemplateEngine;
  const render = (c: MachineCase) =>
    engine.render('windows/startnet.cmd', machineContexts(engine, images, c).artifacts);
  const ws2025: MachineCase = { os: 'ws2025', edition: 'standard', profile: 'hyperv-gen2', platform: 'efi' };

  beforeAll(async () => {
    images = await catalogImages();
    engine = windowsEngine();
  });

  it('reports every WinPE stage in order, each one a stage the callback route accepts', () => {
    const reported = stages(render(ws2025));
    expect(reported).toEqual([
      'winpe_started',
      'disk_selected',
      'disk_prepared',
      'image_downloading',
      'progress',
      'image_applied',
      'drivers_added',
      'rebooting',
      'failed', // evaluation media with a KMS client key
      'failed', // disk rule matched no disk or several
      'failed', // :fail
    ]);
    for (const stage of reported) expect(Object.keys(STAGES)).toContain(stage);
  });

  it("posts form fields status, message and progress to this deployment's callback URL", () => {
    const script = render(ws2025);
    expect(script).toContain(`set "CB=http://10.0.2.2:8080/cb/${TOKEN}"`);
    expect(script).toMatch(/^curl\.exe .* -d "status=%~1" --data-urlencode "message=%~2" %PROGRESS% "%CB%"/m);
  });

  it('stops at the first failing step: every command that changes the machine jumps to :fail', () => {
    for (const c of CASES) {
      for (const line of lines(render(c)).filter((l) => CHECKED.test(l))) {
        expect(line, `${c.name}: ${line}`).toMatch(/ \|\| goto fail$/);
      }
    }
  });

  it(':fail reports the step and error level and never reboots', () => {
    const script = render(ws2025);
    const fail = script.slice(script.indexOf('\r\n:fail\r\n'), script.indexOf('\r\n:report\r\n'));
    expect(fail).toContain('set "RC=%ERRORLEVEL%"');
    expect(fail).toContain('call :report failed "WinPE: %STEP% failed with error level %RC%"');
    expect(fail).toContain('cmd.exe /k');
    expect(fail).not.toMatch(/wpeutil (reboot|shutdown)/i);
    expect(script.match(/wpeutil reboot/g)).toHaveLength(1);
    expect(script.indexOf('wpeutil reboot')).toBeLessThan(script.indexOf('\r\n:fail\r\n'));
  });

  it('waits for the boot server with a bounded loop before the first report', () => {
    const script = render(ws2025);
    // -f: a proxy's 502 while the boot server is down must not count as up.
    expect(script).toContain('curl.exe -f -s -o NUL -m 10 "http://10.0.2.2:8080/healthz" && goto server_up');
    expect(script).toContain('if %TRIES% geq 60 goto fail');
    expect(script.indexOf(':server_up')).toBeLessThan(script.indexOf('call :report winpe_started'));
  });

  it('reads the firmware from PEFirmwareType, whatever iPXE reported, and partitions and writes boot files for it', () => {
    for (const platform of ['efi', 'pcbios'] as const) {
      const script = render({ ...ws2025, profile: 'kvm', platform });
      expect(script).toContain(
        'for /f "tokens=3" %%f in (\'reg query HKLM\\System\\CurrentControlSet\\Control /v PEFirmwareType 2^>NUL ^| find "PEFirmwareType"\') do if "%%f"=="0x1" set "FIRMWARE=BIOS"',
      );
      const uefi = ['convert gpt', 'create partition efi size=260', 'format quick fs=fat32 label=System'];
      const bios = ['convert mbr', 'create partition primary size=500', 'active'];
      for (const step of [...uefi, 'create partition msr size=16'])
        expect(script).toContain(`    echo ${step}\r\n`);
      for (const step of bios) expect(script).toContain(`    echo ${step}\r\n`);
      expect(script).toContain('  if "%FIRMWARE%"=="BIOS" (\r\n    echo convert mbr');
      expect(script).toContain('  echo select disk %DISK%\r\n  echo clean\r\n');
      // UEFI: the Windows Boot Manager goes last, so the network stays first for a later redeploy.
      expect(script).toContain(
        'set "BCDBOOT_FIRMWARE=/f UEFI /addlast"\r\nif "%FIRMWARE%"=="BIOS" set "BCDBOOT_FIRMWARE=/f BIOS"',
      );
      expect(lines(script)).toContain(
        'bcdboot W:\\Windows /s S: %BCDBOOT_FIRMWARE% >>"%LOG%" 2>&1 || goto fail',
      );
    }
  });

  it('selects the disk by its rule before partitioning, and reports failed with the disks it saw otherwise', () => {
    const script = render({ ...ws2025, disk: 'serial:S3Z9NB0K123456' });
    expect(script).toContain('call :select_disk || goto disk_refused');
    expect(script).toContain('if /i "%D_SERIAL%"=="S3Z9NB0K123456" set "HIT=1"');
    expect(script).not.toMatch(/select disk 0/);
    expect(script.indexOf('call :select_disk')).toBeLessThan(script.indexOf('diskpart /s'));
    expect(script.indexOf('call :report winpe_started')).toBeLessThan(script.indexOf('call :select_disk'));
    expect(script).toContain(
      'call :report failed "WinPE: %DISK_WHY%; disks seen: %DISK_SEEN%. Set a disk rule that names one disk (disk:serial:...)"',
    );
    const smallest = render(ws2025);
    expect(smallest).toContain('if %D_GB% lss 20 goto disk_matched');
    expect(smallest).toContain(
      'set "DISK_WHY=%DISK_COUNT% disks match disk rule smallest:20 (disks%DISK_LIST%), refusing to guess"',
    );
  });

  it('downloads install.wim over HTTP with retries and resume, then applies the edition by image name', () => {
    for (const c of CASES) {
      const script = render(c);
      const image = images.get(c.os)!;
      expect(script).toContain(
        `-C - --retry 5 --retry-delay 10 --retry-connrefused -o "%WORK%\\install.wim" "http://10.0.2.2:8080/files/windows/${c.os}/install.wim"`,
      );
      expect(script).toContain(`/Name:"${image.editions![c.edition]!.imageName}" /ApplyDir:W:\\ `);
    }
  });

  it('loads the VirtIO drivers in WinPE and adds them to the installed image on kvm', () => {
    const script = lines(render({ ...ws2025, profile: 'kvm' }));
    for (const inf of ['viostor.inf', 'vioscsi.inf', 'netkvm.inf']) {
      // A failed drvload is remembered, and reported once the network is up (it may be the NIC's driver).
      expect(script).toContain(
        `drvload X:\\Windows\\System32\\${inf} >>"%LOG%" 2>&1 || set "DRIVER_ERRORS=%DRIVER_ERRORS% ${inf}"`,
      );
      expect(script).toContain(
        `dism /Image:W:\\ /Add-Driver /Driver:X:\\Windows\\System32\\${inf} %DISM_SCRATCH% /LogPath:%WORK%\\dism-drivers.log >>"%LOG%" 2>&1 || goto fail`,
      );
    }
    expect(script.findIndex((l) => l.startsWith('drvload'))).toBeLessThan(script.indexOf(':wait_server'));
    expect(script.indexOf('if defined DRIVER_ERRORS (')).toBeGreaterThan(
      script.indexOf('call :report winpe_started'),
    );
    // DISM's scratch space is on the target disk, not on the 512 MB RAM disk X:.
    expect(script).toContain('set "DISM_SCRATCH=/ScratchDir:%WORK%\\scratch"');
  });

  it('adds the per-model driver pack on bare metal, and goes on without one when there is none', () => {
    const script = render({ ...ws2025, profile: 'baremetal' });
    expect(script).toContain(
      '"http://10.0.2.2:8080/files/windows/ws2025/drivers/baremetal/poweredge-r650.wim"',
    );
    expect(script).toContain('if %ERRORLEVEL% equ 22 goto no_driver_pack\r\nif errorlevel 1 goto fail\r\n');
    expect(script).toContain('dism /Image:W:\\ /Add-Driver /Driver:"%WORK%\\drivers" /Recurse');
    const unknown = render({ ...ws2025, profile: 'baremetal', product: null });
    expect(unknown).not.toContain('/drivers/');
    expect(unknown).toContain(
      'call :report drivers_added "No SMBIOS product reported: inbox drivers only" 80',
    );
  });

  it('adds no drivers on Hyper-V', () => {
    const script = render(ws2025);
    expect(script).not.toMatch(/drvload|Add-Driver/);
    expect(script).toContain('call :report drivers_added "Hyper-V: Windows has the drivers built in" 80');
  });

  it("places the answer file and SetupComplete.cmd from this deployment's artifacts", () => {
    const script = render(ws2025);
    expect(script).toContain(`set "ART=http://10.0.2.2:8080/d/${TOKEN}"`);
    expect(script).toContain(
      '-o W:\\Windows\\Panther\\unattend.xml "%ART%/autounattend.xml" >>"%LOG%" 2>&1 || goto fail',
    );
    expect(script).toContain(
      '-o W:\\Windows\\Setup\\Scripts\\SetupComplete.cmd "%ART%/SetupComplete.cmd" >>"%LOG%" 2>&1 || goto fail',
    );
    expect(script.indexOf('SetupComplete.cmd "')).toBeLessThan(script.indexOf('bcdboot W:'));
  });
});

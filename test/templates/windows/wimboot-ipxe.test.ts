import { beforeAll, describe, expect, it } from 'vitest';
import type { OsImage } from '../../../core/images/os-image.entity.js';
import type { TemplateEngine } from '../../../core/render/template-engine.js';
import { catalogImages, type MachineCase, machineContexts, TOKEN, windowsEngine } from './windows-render.js';

const FILES = 'http://10.0.2.2:8080/files/windows';
const ARTIFACTS = `http://10.0.2.2:8080/d/${TOKEN}`;

/** The fetch commands of a script, in order: `kernel …`, `initrd …`, `boot`. */
const fetches = (script: string) =>
  script
    .split('\n')
    .filter((line) => /^(imgfree|kernel|initrd|boot)\b/.test(line))
    .map((line) => line.replace(/ && goto done-\S+ \|\|$/, '').replace(/ \|\| goto give-up$/, ''));

describe('install-wimboot.ipxe', () => {
  let images: Map<string, OsImage>;
  let engine: TemplateEngine;
  const render = (c: MachineCase) =>
    engine.render('ipxe/install-wimboot.ipxe', machineContexts(engine, images, c).install);
  const ws2025: MachineCase = { os: 'ws2025', edition: 'standard', profile: 'hyperv-gen2', platform: 'efi' };

  beforeAll(async () => {
    images = await catalogImages();
    engine = windowsEngine();
  });

  it('frees memory, loads wimboot, injects the deployment files, then BCD, boot.sdi, boot.wim, and boots', () => {
    expect(fetches(render(ws2025))).toEqual([
      'imgfree',
      `kernel --name wimboot ${FILES}/wimboot`,
      `initrd --name startnet.cmd ${ARTIFACTS}/startnet.cmd startnet.cmd`,
      `initrd --name winpeshl.ini ${ARTIFACTS}/winpeshl.ini winpeshl.ini`,
      `initrd --name curl.exe ${FILES}/curl.exe curl.exe`,
      `initrd --name BCD ${FILES}/ws2025/BCD BCD`,
      `initrd --name boot.sdi ${FILES}/ws2025/boot.sdi boot.sdi`,
      `initrd --name boot.wim ${FILES}/ws2025/boot.wim boot.wim`,
      'boot',
    ]);
  });

  it('is the same script for BIOS and UEFI (wimboot handles both)', () => {
    expect(render({ ...ws2025, profile: 'kvm', platform: 'pcbios' })).toBe(
      render({ ...ws2025, profile: 'kvm' }),
    );
  });

  it('injects the VirtIO storage and network drivers into WinPE for kvm', () => {
    const drivers = fetches(render({ ...ws2025, profile: 'kvm' })).filter((line) =>
      line.includes('/drivers/'),
    );
    expect(drivers).toEqual(
      ['viostor', 'vioscsi', 'netkvm'].flatMap((driver) =>
        ['inf', 'sys', 'cat'].map(
          (ext) =>
            `initrd --name ${driver}.${ext} ${FILES}/ws2025/drivers/kvm/${driver}.${ext} ${driver}.${ext}`,
        ),
      ),
    );
  });

  it('injects no drivers for Hyper-V and bare metal (WinPE drivers for hardware belong in boot.wim)', () => {
    for (const profile of ['hyperv-gen2', 'baremetal'] as const) {
      expect(render({ ...ws2025, profile })).not.toContain('/drivers/');
    }
  });

  it('wraps every fetch in the bounded retry loop, announced by an echo, and gives up to the next boot device', () => {
    const lines = render({ ...ws2025, profile: 'kvm' }).split('\n');
    const fetchLines = lines.flatMap((line, i) => (/^(kernel|initrd) /.test(line) ? [i] : []));
    expect(fetchLines).toHaveLength(16);
    for (const i of fetchLines) {
      expect(lines[i], lines[i]).toMatch(/ && goto done-\S+ \|\|$/);
      expect(
        lines.slice(i - 4, i).some((line) => line.startsWith('echo Octofleet: downloading')),
        lines[i],
      ).toBe(true);
    }
    expect(lines).toContain('boot || goto give-up');
    expect(lines).toContain(':give-up');
    // The last attempt names its step for the give-up path's report to the boot server.
    const giveUps = lines.filter((line) =>
      /^iseq \$\{attempt\} 5 && set octofleet-step \S+ && goto give-up \|\|$/.test(line),
    );
    expect(giveUps).toHaveLength(16);
    expect(giveUps).toContain('iseq ${attempt} 5 && set octofleet-step viostor.inf && goto give-up ||');
    expect(
      lines.some((line) =>
        /^imgfetch --name octofleet-report \S+\/r\/\S+\/boot-failed\?step=\$\{octofleet-step\}&code=\$\{octofleet-errno\} /.test(
          line,
        ),
      ),
    ).toBe(true);
  });

  it('uses catalog URLs as they are when they are absolute', () => {
    const image = images.get('ws2025')!;
    const moved = new Map(images).set('ws2025', {
      ...image,
      boot: { ...image.boot, bootWim: 'https://mirror.example.com/winpe/boot.wim' },
    } as OsImage);
    const script = engine.render('ipxe/install-wimboot.ipxe', machineContexts(engine, moved, ws2025).install);
    expect(fetches(script)).toContain(
      'initrd --name boot.wim https://mirror.example.com/winpe/boot.wim boot.wim',
    );
  });
});

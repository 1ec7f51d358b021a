import { mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { driverPackageFiles } from '../../../core/images/driver-files.js';

const dir = mkdtempSync(join(tmpdir(), 'octofleet-drivers-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('driverPackageFiles', () => {
  it('serves the INF and every file it names (netkvm.inf also copies netkvmp.exe)', () => {
    writeFileSync(
      join(dir, 'netkvm.inf'),
      '[Version]\r\nCatalogFile = netkvm.cat\r\n[SourceDisksFiles.amd64]\r\nnetkvm.sys = 1\r\n[x.NTamd64]\r\nCopyFiles = @netkvmp.exe\r\n',
    );
    expect(driverPackageFiles(dir, 'netkvm')).toEqual([
      'netkvm.inf',
      'netkvm.cat',
      'netkvm.sys',
      'netkvmp.exe',
    ]);
  });

  it('reads a UTF-16 INF, and notices when the INF changes', () => {
    const text = '[SourceDisksFiles]\r\nviostor.sys = 1\r\n';
    writeFileSync(
      join(dir, 'viostor.inf'),
      Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]),
    );
    expect(driverPackageFiles(dir, 'viostor')).toEqual(['viostor.inf', 'viostor.sys']);
    const later = new Date(Date.now() + 5_000);
    writeFileSync(join(dir, 'viostor.inf'), `${text}viostor.dll = 1\r\n`);
    utimesSync(join(dir, 'viostor.inf'), later, later);
    expect(driverPackageFiles(dir, 'viostor')).toEqual(['viostor.inf', 'viostor.sys', 'viostor.dll']);
  });

  it('assumes the .inf/.sys/.cat trio when the INF is not on this host', () => {
    expect(driverPackageFiles(dir, 'vioscsi')).toEqual(['vioscsi.inf', 'vioscsi.sys', 'vioscsi.cat']);
  });
});

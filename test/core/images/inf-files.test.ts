import { describe, expect, it } from 'vitest';
import { infFiles } from '../../../core/images/inf-files.js';

// INF text written from the documented format (learn.microsoft.com/windows-hardware/drivers/install/
// overview-of-inf-files), shaped like virtio-win's netkvm.inf: platform-decorated SourceDisksFiles,
// CopyFiles naming file-list sections and a single file with @, comments, a continued line.
const NETKVM_LIKE = `; netkvm.inf - VirtIO network driver (written for this test)
[Version]
Signature   = "$WINDOWS NT$"
Class       = Net
ClassGUID   = {4d36e972-e325-11ce-bfc1-08002be10318}
Provider    = %VENDOR%
CatalogFile = netkvm.cat   ; the signature
DriverVer   = 01/01/2026,100.95.104.26600

[SourceDisksNames.amd64]
1 = %DiskId1%,,,""

[SourceDisksFiles.amd64]
netkvm.sys   = 1,,
netkvmco.exe = 1,,

[SourceDisksFiles.x86]
netkvm32.sys = 1,,

[DestinationDirs]
kvmnet.CopyFiles = 12
kvmnet.Tools     = 11

[kvmnet.ndi.NTamd64]
AddReg    = kvmnet.Reg
CopyFiles = kvmnet.CopyFiles, \\
            kvmnet.Tools
CopyFiles = @netkvmp.exe

[kvmnet.CopyFiles]
netkvm.sys,,,2

[kvmnet.Tools]
netkvmco.exe
netkvm-helper.dll, netkvmhlp.dll ; renamed on copy: the source name is served

[Strings]
VENDOR = "Example"
DiskId1 = "VirtIO Network Driver Disk #1"
`;

describe('infFiles', () => {
  it('lists every file an INF names: SourceDisksFiles, CopyFiles sections and @files, the catalog', () => {
    expect(infFiles(NETKVM_LIKE)).toEqual([
      'netkvm.cat',
      'netkvm.sys',
      'netkvmco.exe',
      'netkvmhlp.dll',
      'netkvmp.exe',
    ]);
  });

  it('leaves out other platforms, comments, and names that are not plain file names', () => {
    const files = infFiles(NETKVM_LIKE);
    expect(files).not.toContain('netkvm32.sys');
    expect(
      infFiles('[SourceDisksFiles]\n..\\\\evil.sys = 1\n"odd name.sys" = 1\nok.sys = 1 ; fine\n'),
    ).toEqual(['evil.sys', 'ok.sys']);
  });

  it('reads x86 files when asked for x86, and is case-insensitive about sections and duplicates', () => {
    expect(infFiles(NETKVM_LIKE, 'x86')).toContain('netkvm32.sys');
    expect(infFiles('[sourcedisksfiles]\nA.SYS = 1\n[SOURCEDISKSFILES.AMD64]\na.sys = 1\n')).toEqual([
      'A.SYS',
    ]);
  });

  it('keeps a ; inside quotes, which is not a comment', () => {
    expect(infFiles('[Version]\nCatalogFile = "a;b.cat"\n[SourceDisksFiles]\nb.sys=1\n')).toEqual(['b.sys']);
  });
});

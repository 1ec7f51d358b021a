import { describe, expect, it } from 'vitest';
import { listedPackages } from './debian-packages.js';
import { skipSummary } from './global-setup.js';

describe('the one Debian package list (.ci/install-packages.sh)', () => {
  it('is read from the script, one name per line, comments dropped', () => {
    const script =
      'set -e\npackages=(\n  qemu-system-x86 # why\n\n  ovmf\n  # a comment line\n)\necho "${packages[@]}"\n';
    expect(listedPackages(script)).toEqual(['qemu-system-x86', 'ovmf']);
  });

  it('holds what the suites name', () => {
    expect(listedPackages()).toEqual(
      expect.arrayContaining([
        'busybox-static',
        'qemu-system-x86',
        'ipxe-qemu',
        'ovmf',
        'dnsmasq-base',
        'curl',
      ]),
    );
  });

  it('refuses a script without the array rather than reading nothing', () => {
    expect(() => listedPackages('apt-get install foo\n')).toThrow('no packages=( … ) array');
  });
});

describe('the end-of-run skip summary', () => {
  it('names each skipped suite, what it lacks and the command that enables it', () => {
    expect(
      skipSummary([
        {
          suite: 'test/e2e/pxe-boot.test.ts',
          reason: 'missing Debian package(s) ovmf',
          enable: 'sudo bash x.sh',
        },
      ]),
    ).toBe(
      '[octofleet] 1 suite(s) skipped:\n  test/e2e/pxe-boot.test.ts: missing Debian package(s) ovmf; enable with: sudo bash x.sh',
    );
  });
});

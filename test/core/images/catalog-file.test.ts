import { describe, expect, it } from 'vitest';
import { loadCatalogFile, parseCatalog } from '../../../core/images/catalog-file.js';

const linux = (extra = '') => `
images:
  - id: tiny
    name: Tiny
    family: linux
    boot:
      method: linux
      kernel: tiny/vmlinuz
      initrd: [tiny/initrd.gz]
      cmdline: console=ttyS0 cb={{callbackUrl}}
${extra}`;

describe('catalog file', () => {
  it('ships the required images', async () => {
    const images = await loadCatalogFile('templates/catalog.yaml');
    const ids = images.map((i) => i.id);
    for (const id of ['ws2025', 'ws2022', 'ws2019', 'win11', 'ubuntu2404']) expect(ids).toContain(id);
    const ws2025 = images.find((i) => i.id === 'ws2025')!;
    expect(ws2025.defaultEdition).toBe('standard');
    expect(Object.keys(ws2025.editions ?? {})).toEqual(expect.arrayContaining(['standard', 'datacenter']));
  });

  it('boots Linux installers on the PXE NIC, with console= after --- and Debian firmware as a second initrd', async () => {
    const images = await loadCatalogFile('templates/catalog.yaml');
    const debian = images.find((i) => i.id === 'debian12')!;
    expect(debian.boot).toMatchObject({ initrd: ['debian/12/initrd.gz', 'debian/12/firmware.cpio.gz'] });
    for (const image of images.filter((i) => i.family === 'linux')) {
      const cmdline = (image.boot as { cmdline: string }).cmdline;
      expect(cmdline, image.id).toContain('BOOTIF={{ipxe deployment.bootif}}');
      expect(cmdline, image.id).toMatch(
        / --- console=tty0 console=\{\{ipxe settings\.linux\.serialConsole\}\}$/,
      );
    }
  });

  it('parses a minimal linux image', () => {
    expect(parseCatalog(linux())[0]).toMatchObject({ id: 'tiny', templates: null, editions: null });
  });

  it.each([
    ['not YAML', 'images: [', /not valid YAML/],
    ['no images list', 'foo: 1', /top-level "images:" list/],
    ['bad id', linux().replace('id: tiny', 'id: Tiny OS'), /image "Tiny OS": id must be 1–32 lower-case/],
    ['unknown boot method', linux().replace('method: linux', 'method: floppy'), /image "tiny": boot.method/],
    [
      'kernel with a space',
      linux().replace('tiny/vmlinuz', '"tiny/vm linuz"'),
      /image "tiny": boot.kernel must be a URL or path without spaces/,
    ],
    [
      'path escaping /files',
      linux().replace('tiny/vmlinuz', '../etc/passwd'),
      /boot.kernel must not contain "\.\."/,
    ],
    [
      'ftp URL',
      linux().replace('tiny/vmlinuz', 'ftp://x/vmlinuz'),
      /must be an http\(s\) URL or a relative path/,
    ],
    [
      'unknown field',
      linux().replace('family: linux', 'family: linux\n    colour: red'),
      /image "tiny": \(entry\) Unrecognized key/,
    ],
    ['duplicate id', `${linux()}${linux().replace('images:\n', '')}`, /image "tiny" is listed twice/],
    [
      'default edition that does not exist',
      linux().replace(
        'family: linux',
        'family: linux\n    defaultEdition: pro\n    editions: { home: { imageName: Home } }',
      ),
      /defaultEdition "pro" is not one of its editions/,
    ],
  ])('refuses %s, naming the entry', (_name, text, message) => {
    expect(() => parseCatalog(text)).toThrow(message);
  });

  it('says when the file cannot be read', async () => {
    await expect(loadCatalogFile('/nonexistent/catalog.yaml')).rejects.toThrow(/cannot be read \(ENOENT\)/);
  });
});

import { createHash } from 'node:crypto';
import { copyFile, mkdir, readdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { aptDependency, aptDownload, cachedBuild, sh } from './artifact-cache.js';
import { tinyLinuxInit, UDHCPC_SCRIPT } from './tiny-linux-init.js';

/** A kernel and its (single) initrd on local disk, ready to be served over HTTP. */
export interface KernelAndInitrd {
  kernel: string;
  initrd: string;
}

/** Bump when the build recipe changes in a way the init script's hash does not capture. */
const TINY_LINUX_RECIPE = 2;
/** The NIC, and virtio-blk for the disk selector test's disks. */
const MODULES = ['e1000', 'virtio_pci', 'virtio_blk'];
const DI_PACKAGE = 'debian-installer-12-netboot-amd64';
const DI_IMAGES = 'usr/lib/debian-installer/images/12/amd64/text/debian-installer/amd64';

/**
 * Builds (once; cached under `.cache/pxe/`) a ~9 MB Linux that PXE-boots in QEMU and acts like an
 * installer: Debian's current amd64 kernel, the e1000 module and busybox-static in a gzip'd newc
 * initrd (plus virtio-blk, for disks) whose /init posts `status=installing`, `configuring`, `done` (form bodies with a `message`)
 * to the `cb=<url>` kernel argument, then powers off. Boot it with
 * `kernel <url>/vmlinuz console=ttyS0 cb=<callback url> initrd=initrd.gz` + `initrd <url>/initrd.gz`.
 * Needs `apt-get`, `dpkg-deb`, `cpio` and `gzip` and access to a Debian mirror on the first call.
 */
export async function ensureTinyLinux(): Promise<KernelAndInitrd> {
  const key = createHash('sha256')
    .update(`${TINY_LINUX_RECIPE}\n${tinyLinuxInit(MODULES.map((m) => `${m}.ko`))}\n${UDHCPC_SCRIPT}`)
    .digest('hex')
    .slice(0, 12);
  const dir = await cachedBuild(`tinylinux-${key}`, ['vmlinuz', 'initrd.gz'], async ({ outDir, workDir }) => {
    const kernelPkg = await aptDependency('linux-image-amd64', 'linux-image-');
    const kernelTree = join(workDir, 'kernel');
    await sh('dpkg-deb', ['-x', await aptDownload(kernelPkg, workDir), kernelTree]);
    const busyboxTree = join(workDir, 'busybox');
    await sh('dpkg-deb', ['-x', await aptDownload('busybox-static', workDir), busyboxTree]);

    const vmlinuz = (await readdir(join(kernelTree, 'boot'))).find((file) => file.startsWith('vmlinuz-'));
    if (!vmlinuz) throw new Error(`${kernelPkg} has no boot/vmlinuz-*`);
    await copyFile(join(kernelTree, 'boot', vmlinuz), join(outDir, 'vmlinuz'));

    const root = join(workDir, 'initrd');
    for (const sub of ['bin', 'dev', 'etc', 'lib/modules', 'proc', 'sys', 'tmp']) {
      await mkdir(join(root, sub), { recursive: true });
    }
    await copyFile(join(busyboxTree, 'bin/busybox'), join(root, 'bin/busybox'));
    await symlink('busybox', join(root, 'bin/sh'));
    const modules: string[] = [];
    for (const name of MODULES) {
      for (const ko of await moduleWithDependencies(kernelTree, name))
        if (!modules.includes(ko)) modules.push(ko);
    }
    for (const ko of modules) await copyFile(ko, join(root, 'lib/modules', basename(ko)));
    await writeFile(join(root, 'init'), tinyLinuxInit(modules.map((ko) => basename(ko))), { mode: 0o755 });
    await writeFile(join(root, 'etc/udhcpc.script'), UDHCPC_SCRIPT, { mode: 0o755 });
    await sh(
      'sh',
      [
        '-c',
        'find . | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet | gzip -9 > "$0"',
        join(outDir, 'initrd.gz'),
      ],
      root,
    );
  });
  return { kernel: join(dir, 'vmlinuz'), initrd: join(dir, 'initrd.gz') };
}

/** The tiny Linux for the Secure Boot chain: signed kernel, a stripped copy, and a virtio-net initrd. */
export interface SecureBootLinux extends KernelAndInitrd {
  /** The same kernel with its Authenticode signature removed (`sbattach --remove`): shim must refuse it. */
  unsignedKernel: string;
}

const SB_MODULES = ['efivarfs', 'virtio_pci', 'virtio_net'];

/**
 * Builds (once; cached) the tiny Linux for a Secure Boot machine: Debian's signed kernel, an unsigned
 * copy, and an initrd with the virtio-net driver (the NIC OVMF boots from without iPXE) whose first
 * callback also sends `secureBoot=<0|1>` read from the SecureBoot EFI variable. Needs `sbsigntool`.
 */
export async function ensureSecureBootLinux(): Promise<SecureBootLinux> {
  const key = createHash('sha256')
    .update(`${TINY_LINUX_RECIPE}\n${tinyLinuxInit(SB_MODULES, { secureBoot: true })}\n${UDHCPC_SCRIPT}`)
    .digest('hex')
    .slice(0, 12);
  const files = ['vmlinuz', 'vmlinuz-unsigned', 'initrd.gz'];
  const dir = await cachedBuild(`sblinux-${key}`, files, async ({ outDir, workDir }) => {
    const kernelPkg = await aptDependency('linux-image-amd64', 'linux-image-');
    const kernelTree = join(workDir, 'kernel');
    await sh('dpkg-deb', ['-x', await aptDownload(kernelPkg, workDir), kernelTree]);
    const busyboxTree = join(workDir, 'busybox');
    await sh('dpkg-deb', ['-x', await aptDownload('busybox-static', workDir), busyboxTree]);
    const vmlinuz = (await readdir(join(kernelTree, 'boot'))).find((file) => file.startsWith('vmlinuz-'));
    if (!vmlinuz) throw new Error(`${kernelPkg} has no boot/vmlinuz-*`);
    await copyFile(join(kernelTree, 'boot', vmlinuz), join(outDir, 'vmlinuz'));
    await copyFile(join(kernelTree, 'boot', vmlinuz), join(outDir, 'vmlinuz-unsigned'));
    await sh('sbattach', ['--remove', join(outDir, 'vmlinuz-unsigned')]);
    const root = join(workDir, 'initrd');
    for (const sub of ['bin', 'dev', 'etc', 'lib/modules', 'proc', 'sys', 'tmp']) {
      await mkdir(join(root, sub), { recursive: true });
    }
    await copyFile(join(busyboxTree, 'bin/busybox'), join(root, 'bin/busybox'));
    await symlink('busybox', join(root, 'bin/sh'));
    const modules: string[] = [];
    for (const name of SB_MODULES) {
      for (const ko of await moduleWithDependencies(kernelTree, name))
        if (!modules.includes(ko)) modules.push(ko);
    }
    for (const ko of modules) await copyFile(ko, join(root, 'lib/modules', basename(ko)));
    await writeFile(
      join(root, 'init'),
      tinyLinuxInit(
        modules.map((ko) => basename(ko)),
        { secureBoot: true },
      ),
      {
        mode: 0o755,
      },
    );
    await writeFile(join(root, 'etc/udhcpc.script'), UDHCPC_SCRIPT, { mode: 0o755 });
    await sh(
      'sh',
      [
        '-c',
        'find . | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet | gzip -9 > "$0"',
        join(outDir, 'initrd.gz'),
      ],
      root,
    );
  });
  return {
    kernel: join(dir, 'vmlinuz'),
    unsignedKernel: join(dir, 'vmlinuz-unsigned'),
    initrd: join(dir, 'initrd.gz'),
  };
}

/**
 * Fetches (once; cached) the signed network GRUB of Debian 13 (`grub-efi-amd64-signed` 2.12, whose
 * grubnetx64.efi has the http module; Debian 12's has not) with a private apt state: the system's
 * sources and lists are left alone. Uses the Debian mirror the system's apt sources name.
 */
export async function ensureTrixieGrub(): Promise<string> {
  const dir = await cachedBuild('grub-signed-trixie', ['grubnetx64.efi'], async ({ outDir, workDir }) => {
    const script = `set -e
A="$0"; mkdir -p "$A/lists/partial" "$A/archives/partial" "$A/deb"
MIRROR=$(awk '/^URIs:/{print $2; exit}' /etc/apt/sources.list.d/debian.sources 2>/dev/null || true)
[ -n "$MIRROR" ] || MIRROR=$(awk '$1=="deb"{for(i=2;i<=NF;i++) if($i ~ /^[a-z]+:///){print $i; exit}}' /etc/apt/sources.list)
echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $MIRROR trixie main" > "$A/sources.list"
set -- -o Dir::Etc::SourceList="$A/sources.list" -o Dir::Etc::SourceParts=/nonexistent -o Dir::State::Lists="$A/lists" -o Dir::Cache="$A" -o APT::Sandbox::User=root
apt-get "$@" -q update
cd "$A/deb" && apt-get "$@" -q download grub-efi-amd64-signed
dpkg-deb -x "$A"/deb/grub-efi-amd64-signed_*.deb "$A/x"`;
    await sh('sh', ['-c', script, workDir]);
    await copyFile(
      join(workDir, 'x/usr/lib/grub/x86_64-efi-signed/grubnetx64.efi.signed'),
      join(outDir, 'grubnetx64.efi'),
    );
  });
  return join(dir, 'grubnetx64.efi');
}

/**
 * Fetches (once; cached under `.cache/pxe/`) the real Debian 12 netboot installer from the
 * `debian-installer-12-netboot-amd64` package (a 133 MB download). Boot it with QEMU `-m 1024` and
 * `kernel <url>/linux initrd=initrd.gz auto=true priority=critical url=<preseed> console=ttyS0`.
 */
export async function ensureDebianInstaller(): Promise<KernelAndInitrd> {
  const dir = await cachedBuild(
    'debian-installer-12',
    ['linux', 'initrd.gz'],
    async ({ outDir, workDir }) => {
      const deb = await aptDownload(DI_PACKAGE, workDir);
      const members = ['linux', 'initrd.gz'].map((file) => `./${DI_IMAGES}/${file}`);
      const extract = 'deb="$0"; dir="$1"; shift; dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$dir" "$@"';
      await sh('sh', ['-c', extract, deb, workDir, ...members]);
      for (const file of ['linux', 'initrd.gz'])
        await copyFile(join(workDir, DI_IMAGES, file), join(outDir, file));
    },
  );
  return { kernel: join(dir, 'linux'), initrd: join(dir, 'initrd.gz') };
}

/** `name`.ko and the modules it depends on (from its .modinfo `depends=`), dependencies first. */
async function moduleWithDependencies(kernelTree: string, name: string) {
  const index = new Map<string, string>();
  const walk = async (dir: string): Promise<void> => {
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) await walk(path);
      else if (entry.name.endsWith('.ko')) index.set(entry.name.slice(0, -3).replaceAll('-', '_'), path);
    }
  };
  await walk(join(kernelTree, 'lib/modules'));
  const ordered: string[] = [];
  const visit = async (module: string) => {
    const path = index.get(module.replaceAll('-', '_'));
    if (!path) throw new Error(`kernel module ${module}.ko not found (compressed modules are not supported)`);
    if (ordered.includes(path)) return;
    for (const dep of await modinfoDepends(path)) await visit(dep);
    ordered.push(path);
  };
  await visit(name);
  return ordered;
}

async function modinfoDepends(ko: string) {
  const text = (await readFile(ko)).toString('latin1');
  const match = text.match(/\0depends=([^\0]*)\0/);
  return match?.[1] ? match[1].split(',').filter(Boolean) : [];
}

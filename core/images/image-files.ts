import { resolve, sep } from 'node:path';
import type { ImageBoot } from './image-schema.js';

/** What a file is for, so a message can say "boot.wim" rather than only a path. */
export type ImageFileRole =
  | 'wimboot'
  | 'bootWim'
  | 'bcd'
  | 'bootSdi'
  | 'installWim'
  | 'file'
  | 'kernel'
  | 'initrd'
  | 'cmdline';

/** One file an image needs at boot, as the catalog names it and where it lives. */
export interface ImageFile {
  role: ImageFileRole;
  /** The catalog's location: a path under ARTIFACTS_DIR or an http(s) URL. */
  location: string;
  /** Absolute path on this host when the location is relative (served at /files/); null for a URL. */
  path: string | null;
}

const REMOTE = /^https?:\/\//i;

/**
 * Files a linux `cmdline` fetches from the boot server's /files/ (Ubuntu's live ISO: `url={{ipxe
 * filesUrl}}/ubuntu/…iso`). Only literal paths after `filesUrl}}/` are known before rendering.
 */
const CMDLINE_FILES = /\{\{\s*(?:ipxe\s+)?filesUrl\s*\}\}\/([A-Za-z0-9._~/%+-]+)/g;

/**
 * Every file an image points at, in boot order: wimboot, BCD, boot.sdi, boot.wim, install.wim and the
 * injected extras for wimboot; kernel, initrds and the files its command line fetches from /files/ for
 * linux. Per-machine drivers (chosen by the hardware profile at boot) are not included.
 *
 * @param artifactsDir ARTIFACTS_DIR, which relative locations resolve under (as `GET /files/*` does).
 */
export function imageFiles(boot: ImageBoot, artifactsDir: string): ImageFile[] {
  const file = (role: ImageFileRole, location: string): ImageFile => ({
    role,
    location,
    path: localPath(location, artifactsDir),
  });
  if (boot.method === 'wimboot') {
    return [
      file('wimboot', boot.wimboot),
      file('bcd', boot.bcd),
      file('bootSdi', boot.bootSdi),
      file('bootWim', boot.bootWim),
      file('installWim', boot.installWim),
      ...boot.files.map((f) => file('file', f.url)),
    ];
  }
  const fromCmdline = [...(boot.cmdline ?? '').matchAll(CMDLINE_FILES)].map((m) => file('cmdline', m[1]!));
  return [file('kernel', boot.kernel), ...boot.initrd.map((i) => file('initrd', i)), ...fromCmdline];
}

/**
 * Where a relative catalog location lives on disk: query and fragment dropped, percent-escapes decoded
 * once (as `send` does for /files/), under `artifactsDir`. Null for URLs and for anything that would
 * leave the folder.
 */
export function localPath(location: string, artifactsDir: string): string | null {
  if (REMOTE.test(location)) return null;
  let relative = location.replace(/[?#].*$/, '').replace(/^\/+/, '');
  try {
    relative = decodeURIComponent(relative);
  } catch {
    return null;
  }
  const root = resolve(artifactsDir);
  const path = resolve(root, relative);
  return path.startsWith(root + sep) ? path : null;
}

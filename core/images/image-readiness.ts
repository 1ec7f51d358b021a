import { constants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import { relative } from 'node:path';
import { ValidationError } from '../errors.js';
import { type ImageFile, type ImageFileRole, imageFiles } from './image-files.js';
import type { ImageBoot } from './image-schema.js';

export { type ImageFile, type ImageFileRole, imageFiles, localPath } from './image-files.js';

/** What a check found about one file. `unchecked` is a remote URL when remote checks were not asked for. */
export type FileState = 'ok' | 'missing' | 'unreadable' | 'not-a-file' | 'unchecked' | 'unreachable';

/** One file of an image and what a check found about it. */
export interface FileCheck extends ImageFile {
  state: FileState;
  /** Bytes on disk, or the Content-Length a URL answered with. */
  size?: number;
  /** Why the file is not usable, for a human (`HTTP 404`, `is a directory`, `no Content-Length`). */
  problem?: string;
}

/** Whether an image can boot, as far as its files tell. */
export interface ImageReadiness {
  image: string;
  /** True when no checked file has a problem (remote URLs count only when they were checked). */
  ready: boolean;
  files: FileCheck[];
  /** The files with a problem, in boot order. */
  missing: FileCheck[];
  checkedAt: Date;
}

export interface ReadinessOptions {
  /** ARTIFACTS_DIR: where relative locations live. */
  artifactsDir: string;
  /**
   * Also ask remote URLs (`HEAD`, expecting 2xx and a Content-Length). Off at request time: a slow or
   * firewalled mirror must not stall /deploy, and tests point images at servers that only exist while
   * a test runs. `npm run doctor` turns it on. @defaultValue false
   */
  remote?: boolean;
  /** Per-URL timeout of remote checks. @defaultValue 5000 ms */
  timeoutMs?: number;
}

/** File names users know these files by, for messages. */
const ROLE_NAMES: Record<ImageFileRole, string> = {
  wimboot: 'wimboot',
  bcd: 'BCD',
  bootSdi: 'boot.sdi',
  bootWim: 'boot.wim',
  installWim: 'install.wim',
  file: 'WinPE file',
  kernel: 'kernel',
  initrd: 'initrd',
  cmdline: 'file named in cmdline',
};

/**
 * Checks every file an image points at ({@link imageFiles}): local files exist, are regular files and
 * readable by this process; remote URLs (only with `remote`) answer HEAD with 2xx and a size.
 */
export async function checkImageReadiness(
  image: { id: string; boot: ImageBoot },
  opts: ReadinessOptions,
): Promise<ImageReadiness> {
  const files = await Promise.all(
    imageFiles(image.boot, opts.artifactsDir).map((file) =>
      file.path
        ? checkLocalFile(file)
        : opts.remote
          ? checkRemoteFile(file, opts.timeoutMs)
          : unchecked(file),
    ),
  );
  const missing = files.filter((f) => f.state !== 'ok' && f.state !== 'unchecked');
  return { image: image.id, ready: missing.length === 0, files, missing, checkedAt: new Date() };
}

/** A local file: exists, is a regular file, and this process may read it (the boot server serves it). */
export async function checkLocalFile(file: ImageFile): Promise<FileCheck> {
  if (!file.path) return { ...file, state: 'missing', problem: 'is not under ARTIFACTS_DIR' };
  try {
    const info = await stat(file.path);
    if (!info.isFile()) return { ...file, state: 'not-a-file', problem: 'is not a regular file' };
    await access(file.path, constants.R_OK);
    return { ...file, state: 'ok', size: info.size };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR')
      return { ...file, state: 'missing', problem: 'does not exist' };
    return { ...file, state: 'unreadable', problem: `cannot be read (${code ?? (error as Error).message})` };
  }
}

/** A remote URL: `HEAD` answers 2xx with a Content-Length (iPXE and wimboot need the size). */
export async function checkRemoteFile(file: ImageFile, timeoutMs = 5000): Promise<FileCheck> {
  try {
    const res = await fetch(file.location, {
      method: 'HEAD',
      redirect: 'follow',
      signal: AbortSignal.timeout(timeoutMs),
    });
    if (!res.ok) return { ...file, state: 'missing', problem: `answers HTTP ${res.status}` };
    const length = res.headers.get('content-length');
    if (length === null)
      return { ...file, state: 'unreachable', problem: 'answers without a Content-Length' };
    return { ...file, state: 'ok', size: Number(length) };
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause?.code;
    const why =
      (error as Error).name === 'TimeoutError'
        ? `no answer in ${timeoutMs} ms`
        : (cause ?? (error as Error).message);
    return { ...file, state: 'unreachable', problem: `cannot be reached (${why})` };
  }
}

function unchecked(file: ImageFile): FileCheck {
  return { ...file, state: 'unchecked' };
}

/** `install.wim windows/ws2025/install.wim`: what a file is for and where the catalog says it is. */
export function fileLabel(file: ImageFile): string {
  return `${ROLE_NAMES[file.role]} ${file.location}`;
}

/** `install.wim var/artifacts/windows/ws2025/install.wim does not exist` — one file's problem, for people. */
export function describeFile(file: FileCheck): string {
  const inCwd = file.path ? relative(process.cwd(), file.path) : '';
  const where = !file.path ? file.location : inCwd && !inCwd.startsWith('..') ? inCwd : file.path;
  return `${ROLE_NAMES[file.role]} ${where} ${file.problem ?? 'is not usable'}`;
}

/**
 * The refusal of a deployment whose image cannot boot: code `deploy:image-not-ready` (422), the message
 * names every missing file, `detail` lists them (`{image, missing: [{role, location, problem}]}`).
 * `ws2025 cannot boot: missing in ARTIFACTS_DIR (var/artifacts): install.wim windows/ws2025/install.wim. …`
 */
export function imageNotReadyError(readiness: ImageReadiness, artifactsDir: string): ValidationError {
  const absent = readiness.missing.filter((f) => f.path && f.state === 'missing');
  const other = readiness.missing.filter((f) => !absent.includes(f));
  const parts = [
    ...(absent.length
      ? [`missing in ARTIFACTS_DIR (${artifactsDir}): ${absent.map(fileLabel).join(', ')}`]
      : []),
    ...other.map((f) => describeFile(f)),
  ];
  return new ValidationError(
    `${readiness.image} cannot boot: ${parts.join('; ')}. Put the files in place or fix the image, then try again; npm run doctor checks every image`,
    {
      image: readiness.image,
      missing: readiness.missing.map((f) => ({ role: f.role, location: f.location, problem: f.problem })),
    },
    'deploy:image-not-ready',
  );
}

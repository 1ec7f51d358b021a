import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { infFiles } from './inf-files.js';

/** Parsed INF file lists by path, with the mtime they were read at: renders must not re-read them. */
const cache = new Map<string, { mtimeMs: number; files: string[] }>();

/**
 * Every file of the driver package `<dir>/<driver>.inf` (the INF first, then what it names, see
 * {@link infFiles}). When the INF is not on this host's disk (not uploaded yet, or a remote store), the
 * classic trio `<driver>.inf/.sys/.cat` is assumed, which is what an INF without extra files needs.
 */
export function driverPackageFiles(dir: string, driver: string): string[] {
  const inf = join(dir, `${driver}.inf`);
  try {
    const { mtimeMs } = statSync(inf);
    let entry = cache.get(inf);
    if (!entry || entry.mtimeMs !== mtimeMs) {
      entry = { mtimeMs, files: infFiles(decode(readFileSync(inf))) };
      cache.set(inf, entry);
    }
    const rest = entry.files.filter((f) => f.toLowerCase() !== `${driver}.inf`.toLowerCase());
    return [`${driver}.inf`, ...rest];
  } catch {
    return ['inf', 'sys', 'cat'].map((ext) => `${driver}.${ext}`);
  }
}

/** INF files are ASCII/UTF-8 or UTF-16 LE with a byte-order mark. */
function decode(bytes: Buffer): string {
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return bytes.subarray(2).toString('utf16le');
  return bytes.toString('utf8');
}

import { stat } from 'node:fs/promises';
import { resolve, sep } from 'node:path';
import { imageFiles } from '../../core/images/image-files.js';
import type { OsImage } from '../../core/images/os-image.entity.js';
import type { RenderContext } from '../../core/render/render-context.js';

/**
 * Paths (relative to ARTIFACTS_DIR, as served under /files/) of every local file an install needs:
 * the image's boot files as core lists them for request-time readiness ({@link imageFiles}: kernel,
 * initrds and the files its command line fetches; wimboot, BCD, boot.sdi, boot.wim, install.wim and the
 * extras), plus what only the boot knows: the resolved profile's WinPE drivers. URLs elsewhere are not
 * ours to check; the optional per-model driver pack is left out (startnet.cmd goes on without it).
 */
export function localArtifacts(
  image: Pick<OsImage, 'boot'>,
  ctx: Pick<RenderContext, 'filesUrl' | 'drivers'>,
  artifactsDir: string,
): string[] {
  const relative = (location: string) => location.split(/[?#]/)[0]!.replace(/^\/+/, '');
  const prefix = `${ctx.filesUrl}/`;
  const paths = [
    // Only whether a location is local (its path is not null) is used; the check resolves it itself.
    ...imageFiles(image.boot, artifactsDir)
      .filter((f) => f.path !== null)
      .map((f) => relative(f.location)),
    ...ctx.drivers.winpeFiles
      .filter((f) => f.url.startsWith(prefix))
      .map((f) => relative(f.url.slice(prefix.length))),
  ];
  return [...new Set(paths)];
}

/** Tells which local artifacts are missing. */
export interface ArtifactCheck {
  /** The given paths (relative to ARTIFACTS_DIR) that are not regular files, in the order given. */
  missing(paths: string[]): Promise<string[]>;
}

/**
 * Checks files under `root` with `stat`, remembering the ones found for `ttlMs`: a boot storm of a
 * thousand machines asking for the same kernel stats it once. A missing file is never remembered, so a
 * file the operator puts in place counts at once; a file removed is noticed within `ttlMs` (and, should a
 * machine be faster, its boot script reports the 404). @defaultValue ttlMs 30000
 */
export function createArtifactCheck(
  root: string,
  { ttlMs = 30_000, now = Date.now }: { ttlMs?: number; now?: () => number } = {},
): ArtifactCheck {
  const base = resolve(root);
  const found = new Map<string, number>();
  const exists = async (path: string) => {
    const seen = found.get(path);
    if (seen !== undefined && now() - seen < ttlMs) return true;
    const full = resolve(base, decodeSafely(path));
    // Catalog locations cannot climb out (`..` is refused at the door); this is the second line.
    if (full !== base && !full.startsWith(base + sep)) return false;
    const ok = await stat(full).then(
      (s) => s.isFile(),
      () => false,
    );
    if (ok) {
      if (found.size >= 4096) found.clear();
      found.set(path, now());
    } else found.delete(path);
    return ok;
  };
  return {
    async missing(paths) {
      const results = await Promise.all(paths.map(exists));
      return paths.filter((_, i) => !results[i]);
    },
  };
}

/** /files/ decodes percent escapes once (send); do the same, keeping a malformed escape as it is. */
function decodeSafely(path: string): string {
  try {
    return decodeURIComponent(path);
  } catch {
    return path;
  }
}

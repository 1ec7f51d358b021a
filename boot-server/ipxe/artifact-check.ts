import { stat } from 'node:fs/promises';
import { resolve, sep } from 'node:path';
import type { RenderContext } from '../../core/render/render-context.js';

/**
 * Paths (relative to ARTIFACTS_DIR, as served under /files/) of every local file an install needs:
 * the image's boot files (kernel, initrds, wimboot, BCD, boot.sdi, boot.wim, install.wim, extra files)
 * and the resolved profile's WinPE drivers. Absolute URLs elsewhere are not ours to check; the optional
 * per-model driver pack is left out (startnet.cmd goes on without it).
 */
export function localArtifacts(ctx: Pick<RenderContext, 'filesUrl' | 'image' | 'drivers'>): string[] {
  const prefix = `${ctx.filesUrl}/`;
  const urls: string[] = [];
  for (const value of Object.values(ctx.image.boot)) {
    if (typeof value === 'string') urls.push(value);
    else if (Array.isArray(value)) for (const v of value) urls.push(typeof v === 'string' ? v : v.url);
  }
  for (const file of ctx.drivers.winpeFiles) urls.push(file.url);
  const paths = urls.filter((u) => u.startsWith(prefix)).map((u) => u.slice(prefix.length).split(/[?#]/)[0]!);
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

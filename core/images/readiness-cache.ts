import { checkImageReadiness, type ImageReadiness, type ReadinessOptions } from './image-readiness.js';
import type { OsImage } from './os-image.entity.js';

/**
 * Image readiness for `/images`, `GET /api/v1/images` and the preflight of every deployment request.
 *
 * Refresh policy, and why:
 * - Catalog changes: the image cache's NOTIFY (`octofleet_image_changed`) calls {@link forget}, and an
 *   entry is keyed on the image's `updatedAt`, so an edited image is never judged by its old files.
 * - File changes: a *ready* answer is reused for `ttlMs`; a *not ready* one is never reused, because
 *   the operator is most likely copying the files in right now and retrying. fs.watch was the other
 *   choice and loses: ARTIFACTS_DIR may not exist yet on a fresh install, recursive watches cost an
 *   inotify watch per folder of a tree of ISOs and drivers, and artifacts often sit on NFS or SMB,
 *   which deliver no events at all. A stat per file is microseconds; a deployment is a human action.
 */
export interface ReadinessCache {
  get(image: Pick<OsImage, 'id' | 'boot' | 'updatedAt'>): Promise<ImageReadiness>;
  forget(): void;
}

export interface ReadinessCacheOptions extends ReadinessOptions {
  /** How long a ready answer is reused. @defaultValue 10 000 ms */
  ttlMs?: number;
  now?: () => number;
}

export function createReadinessCache(opts: ReadinessCacheOptions): ReadinessCache {
  const ttlMs = opts.ttlMs ?? 10_000;
  const now = opts.now ?? Date.now;
  const entries = new Map<string, { readiness: ImageReadiness; version: number; until: number }>();
  return {
    async get(image) {
      const version = image.updatedAt?.getTime() ?? 0;
      const hit = entries.get(image.id);
      if (hit && hit.version === version && hit.until > now()) return hit.readiness;
      const readiness = await checkImageReadiness(image, opts);
      if (readiness.ready) entries.set(image.id, { readiness, version, until: now() + ttlMs });
      else entries.delete(image.id);
      return readiness;
    },
    forget: () => entries.clear(),
  };
}

import type { OsImage } from './os-image.entity.js';

/** Postgres channel on which every image write is announced (payload: the image id). */
export const IMAGE_CHANGES_CHANNEL = 'octofleet_image_changed';

/**
 * OS images for the boot path: every machine of a storm asks for one of a handful of images. Each write
 * through the repository is announced on {@link IMAGE_CHANGES_CHANNEL}; every process listening clears
 * its cache on it (docs/architecture.md "Scale-out": caches are invalidated through Postgres notifications). While a
 * process is not listening (its LISTEN connection is down) it does not trust the cache and reads every
 * time; entries also expire after `ttlMs`, a backstop for anything that changes the table by hand.
 */
export interface ImageCache {
  /** Throws what `load` throws (an unknown image is not cached). */
  get(id: string): Promise<OsImage>;
  clear(): void;
}

export interface ImageCacheOptions {
  /** @defaultValue 60 000 ms */
  ttlMs?: number;
  /** Whether invalidations are arriving now. @defaultValue always */
  trusted?: () => boolean;
}

export function createImageCache(
  load: (id: string) => Promise<OsImage>,
  opts: ImageCacheOptions = {},
): ImageCache {
  const ttlMs = opts.ttlMs ?? 60_000;
  const trusted = opts.trusted ?? (() => true);
  const entries = new Map<string, { image: Promise<OsImage>; until: number }>();
  return {
    get(id) {
      if (!trusted()) {
        entries.clear();
        return load(id);
      }
      const now = Date.now();
      const hit = entries.get(id);
      if (hit && hit.until > now) return hit.image;
      const image = load(id);
      const entry = { image, until: now + ttlMs };
      entries.set(id, entry);
      image.catch(() => {
        if (entries.get(id) === entry) entries.delete(id);
      });
      return image;
    },
    clear: () => entries.clear(),
  };
}

import type { OsImage } from './os-image.entity.js';

/**
 * OS images for the boot path, kept for a few seconds: every machine of a storm asks for one of a handful
 * of images. Writes through the API clear it at once in this process; another replica sees an edit within
 * `ttlMs`.
 */
export interface ImageCache {
  /** Throws what `load` throws (an unknown image is not cached). */
  get(id: string): Promise<OsImage>;
  clear(): void;
}

/** @defaultValue ttlMs 5000 */
export function createImageCache(load: (id: string) => Promise<OsImage>, ttlMs = 5000): ImageCache {
  const entries = new Map<string, { image: Promise<OsImage>; until: number }>();
  return {
    get(id) {
      const now = Date.now();
      const hit = entries.get(id);
      if (hit && hit.until > now) return hit.image;
      const image = load(id);
      entries.set(id, { image, until: now + ttlMs });
      image.catch(() => entries.delete(id));
      return image;
    },
    clear: () => entries.clear(),
  };
}

import { describe, expect, it } from 'vitest';
import { NotFoundError } from '../../../core/errors.js';
import { createImageCache } from '../../../core/images/image-cache.js';
import type { OsImage } from '../../../core/images/os-image.entity.js';

const image = (id: string, name: string) => ({ id, name }) as OsImage;

describe('image cache', () => {
  it('loads an image once while fresh, again after clear()', async () => {
    let loads = 0;
    const cache = createImageCache(async (id) => image(id, `load ${++loads}`), { ttlMs: 60_000 });
    expect((await cache.get('ws2025')).name).toBe('load 1');
    expect((await cache.get('ws2025')).name).toBe('load 1');
    cache.clear();
    expect((await cache.get('ws2025')).name).toBe('load 2');
  });

  it('loads again once the entry is older than its lifetime', async () => {
    let loads = 0;
    const cache = createImageCache(async (id) => image(id, `load ${++loads}`), { ttlMs: 0 });
    await cache.get('ws2025');
    expect((await cache.get('ws2025')).name).toBe('load 2');
  });

  it('does not remember an unknown image', async () => {
    let known = false;
    const cache = createImageCache(
      async (id) => {
        if (!known) throw new NotFoundError(`unknown OS image "${id}"`);
        return image(id, 'added');
      },
      { ttlMs: 60_000 },
    );
    await expect(cache.get('alma9')).rejects.toThrow(/unknown OS image "alma9"/);
    known = true;
    expect((await cache.get('alma9')).name).toBe('added');
  });

  it('reads every time while invalidations are not arriving', async () => {
    let loads = 0;
    let listening = false;
    const cache = createImageCache(async (id) => image(id, `load ${++loads}`), { trusted: () => listening });
    await cache.get('ws2025');
    expect((await cache.get('ws2025')).name).toBe('load 2');
    listening = true;
    await cache.get('ws2025');
    expect((await cache.get('ws2025')).name).toBe('load 3');
  });
});

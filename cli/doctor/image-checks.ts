import pg from 'pg';
import { loadCatalogFile } from '../../core/images/catalog-file.js';
import { checkImageReadiness, describeFile } from '../../core/images/image-readiness.js';
import type { ImageBoot, ImageEdition } from '../../core/images/image-schema.js';
import { readWimImageNames } from '../../core/images/wim-image-names.js';
import { type CheckContext, type CheckResult, fail, ok, warn } from './check.js';

interface CatalogImage {
  id: string;
  boot: ImageBoot;
  editions: Record<string, ImageEdition> | null;
}

/**
 * Every catalog image's files: local ones exist and are readable under ARTIFACTS_DIR, remote ones
 * answer HEAD with a size, and a local install.wim holds the image names its editions ask DISM for.
 */
export async function checkImages(ctx: CheckContext): Promise<CheckResult[]> {
  const { images, source } = await catalogImages(ctx);
  if (!images.length)
    return [
      warn('images', 'OS images', `the catalog (${source}) is empty`, 'add images with POST /api/v1/images'),
    ];
  const results: CheckResult[] = [];
  for (const image of images) {
    const id = `image:${image.id}`;
    const title = `Image ${image.id}`;
    const readiness = await checkImageReadiness(image, {
      artifactsDir: ctx.config.ARTIFACTS_DIR,
      remote: true,
      timeoutMs: ctx.timeoutMs,
    });
    if (!readiness.ready) {
      results.push(
        fail(
          id,
          title,
          readiness.missing.map((f) => describeFile(f)).join('\n'),
          `copy the files into ARTIFACTS_DIR (${ctx.config.ARTIFACTS_DIR}) or fix the image's URLs (docs/${image.boot.method === 'wimboot' ? 'windows' : 'linux'}.md)`,
        ),
      );
      continue;
    }
    const bytes = readiness.files.reduce((sum, f) => sum + (f.size ?? 0), 0);
    const wim = await checkEditions(
      image,
      readiness.files.find((f) => f.role === 'installWim')?.path ?? null,
    );
    if (wim) results.push({ ...wim, id, title });
    else results.push(ok(id, title, `${readiness.files.length} file(s), ${formatBytes(bytes)}`));
  }
  return results;
}

/** Editions whose WIM image name install.wim does not hold; null when all are there or it cannot tell. */
async function checkEditions(image: CatalogImage, installWim: string | null): Promise<CheckResult | null> {
  if (!installWim || !image.editions) return null;
  let names: string[];
  try {
    names = await readWimImageNames(installWim);
  } catch (error) {
    return warn('', '', `cannot read the image names in ${installWim} (${(error as Error).message})`);
  }
  const missing = Object.entries(image.editions).filter(([, e]) => !names.includes(e.imageName));
  if (!missing.length) return null;
  return fail(
    '',
    '',
    `${installWim} has no image named ${missing.map(([k, e]) => `"${e.imageName}" (edition ${k})`).join(', ')}; it holds: ${names.map((n) => `"${n}"`).join(', ')}`,
    "put the matching install.wim in place, or set the editions' imageName to names it holds (PUT /api/v1/images/:id)",
  );
}

/** Images from the database once `npm start` seeded it; from CATALOG_PATH before that. */
async function catalogImages({
  config,
  timeoutMs,
}: CheckContext): Promise<{ images: CatalogImage[]; source: string }> {
  const client = new pg.Client({ connectionString: config.DATABASE_URL, connectionTimeoutMillis: timeoutMs });
  client.on('error', () => {});
  try {
    await client.connect();
    const { rows } = await client.query<CatalogImage>('select id, boot, editions from os_image order by id');
    return { images: rows, source: 'database' };
  } catch {
    const images = await loadCatalogFile(config.CATALOG_PATH);
    return { images, source: config.CATALOG_PATH };
  } finally {
    await client.end().catch(() => {});
  }
}

function formatBytes(bytes: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(unit ? 1 : 0)} ${units[unit]}`;
}

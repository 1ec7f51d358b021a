import { readFile } from 'node:fs/promises';
import { parse } from 'yaml';
import { z } from 'zod';
import { ConfigError } from '../config/index.js';
import { type ImageInput, imageInput } from './image-schema.js';

/** Thrown when catalog.yaml is invalid; the message names the entry and the field. */
export class CatalogError extends ConfigError {
  override name = 'CatalogError';
}

/** Parses and validates the text of a catalog file. */
export function parseCatalog(text: string, source = 'catalog.yaml'): ImageInput[] {
  let doc: unknown;
  try {
    doc = parse(text);
  } catch (error) {
    throw new CatalogError(`${source}: not valid YAML: ${(error as Error).message.split('\n')[0]}`);
  }
  const top = z.object({ images: z.array(z.unknown()).min(1) }).safeParse(doc);
  if (!top.success)
    throw new CatalogError(`${source}: expected a top-level "images:" list with at least one image`);
  const seen = new Set<string>();
  return top.data.images.map((entry, index) => {
    const label =
      typeof (entry as { id?: unknown })?.id === 'string'
        ? `"${(entry as { id: string }).id}"`
        : `#${index + 1}`;
    const parsed = imageInput.safeParse(entry);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      const where = issue.path.join('.') || '(entry)';
      throw new CatalogError(`${source}: image ${label}: ${where} ${issue.message}`);
    }
    if (seen.has(parsed.data.id)) throw new CatalogError(`${source}: image ${label} is listed twice`);
    seen.add(parsed.data.id);
    return parsed.data;
  });
}

/** Reads and validates a catalog file. */
export async function loadCatalogFile(path: string): Promise<ImageInput[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new CatalogError(`catalog ${path}: cannot be read (${(error as NodeJS.ErrnoException).code})`);
  }
  return parseCatalog(text, path);
}

import type { BootServerDeps } from '../deps.js';
import { renderEntryScript } from './scripts.js';

/**
 * The entry script every machine fetches first is the same for all of them until an operator puts a new
 * `ipxe/boot.ipxe` version in use, so it is rendered once per template set and kept as bytes. The
 * template store replaces its current set on every reload, so a new set object is what says "render
 * again" (in every process, since each reloads on the change announcement).
 */
export function createEntryScript({ core, retry }: Pick<BootServerDeps, 'core' | 'retry'>): () => Buffer {
  let renderedFor: unknown;
  let bytes = Buffer.alloc(0);
  return () => {
    const set = core.templateStore.current();
    if (set !== renderedFor) {
      bytes = Buffer.from(renderEntryScript(core.templates, { bootUrl: core.config.publicBootUrl, retry }));
      renderedFor = set;
    }
    return bytes;
  };
}

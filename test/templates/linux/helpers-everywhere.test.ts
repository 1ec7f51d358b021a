import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { catalog, TEMPLATES_DIR } from './linux-render.js';

// Non-XML templates render raw, so a value without its language's helper would land verbatim.
const LANGUAGE_HELPERS = new Set(['yaml', 'sh', 'ipxe', 'url', 'sha512crypt', 'json']);

/** Every `{{…}}` that outputs a value without passing it through a helper. */
function bareValues(source: string): string[] {
  const withoutComments = source
    .replace(/\{\{!--[\s\S]*?--~?\}\}/g, '')
    .replace(/\{\{!(?!--)[\s\S]*?\}\}/g, '');
  const bare: string[] = [];
  for (const [mustache, body] of withoutComments.matchAll(/\{\{\{?~?\s*([^}]*?)\s*~?\}?\}\}/g)) {
    if (mustache.startsWith('{{{')) bare.push(mustache);
    else if (/^[#/>^]/.test(body!) || body === 'else') continue;
    else if (!LANGUAGE_HELPERS.has(body!.split(/[\s(]/)[0]!)) bare.push(mustache);
  }
  return bare;
}

const files = ['ubuntu', 'debian', 'partials/linux'].flatMap((dir) =>
  readdirSync(join(TEMPLATES_DIR, dir)).map((file) => `${dir}/${file}`),
);

describe('every value in a Linux template goes through a helper', () => {
  it('finds a bare value when there is one', () => {
    expect(
      bareValues(
        'a: {{deployment.hostname}}\nb: {{yaml x}}\n{{#each k}}{{this}}{{else}}[]{{/each}}{{{raw}}}',
      ),
    ).toEqual(['{{deployment.hostname}}', '{{this}}', '{{{raw}}}']);
  });

  it.each(files)('%s', (file) => {
    expect(bareValues(readFileSync(join(TEMPLATES_DIR, file), 'utf8'))).toEqual([]);
  });

  it.each(Object.keys(catalog))('catalog cmdline of %s', (id) => {
    const boot = catalog[id]!.boot;
    expect(boot.method).toBe('linux');
    expect(bareValues(boot.method === 'linux' ? boot.cmdline : '')).toEqual([]);
  });
});

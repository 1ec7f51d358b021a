import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import Handlebars from 'handlebars';
import { beforeAll, describe, expect, it } from 'vitest';
import type { OsImage } from '../../../core/images/os-image.entity.js';
import type { TemplateEngine } from '../../../core/render/template-engine.js';
import { CASES } from './windows-cases.js';
import {
  catalogImages,
  JOIN_PASSWORD,
  machineContexts,
  PASSWORD,
  renderWindows,
  TEMPLATES_DIR,
  WINDOWS_FILES,
  windowsEngine,
} from './windows-render.js';

/** Each template and the one helper every value in it must go through. */
const TEMPLATES: [string, string | null][] = [
  ['ipxe/install-wimboot.ipxe.hbs', 'ipxe'],
  ['windows/startnet.cmd.hbs', 'cmd'],
  ['windows/SetupComplete.cmd.hbs', 'cmd'],
  ['partials/windows/cmd-report.hbs', 'cmd'],
  ['windows/winpeshl.ini.hbs', null],
  ['windows/autounattend.xml.hbs', 'xml'],
];
const BLOCK_HELPERS = new Set(['if', 'unless', 'each']);

/** Every `{{…}}` output statement, and the block helpers used, of a template. */
function statements(source: string) {
  const outputs: { helper: string; params: number }[] = [];
  const blocks: string[] = [];
  class Walker extends Handlebars.Visitor {
    override MustacheStatement(node: hbs.AST.MustacheStatement) {
      outputs.push({ helper: (node.path as hbs.AST.PathExpression).original, params: node.params.length });
      super.MustacheStatement(node);
    }
    override BlockStatement(node: hbs.AST.BlockStatement) {
      blocks.push((node.path as hbs.AST.PathExpression).original);
      super.BlockStatement(node);
    }
  }
  new Walker().accept(Handlebars.parse(source));
  return { outputs, blocks };
}

describe('Windows templates: hygiene', () => {
  let images: Map<string, OsImage>;
  let engine: TemplateEngine;

  beforeAll(async () => {
    images = await catalogImages();
    engine = windowsEngine();
  });

  it.each(TEMPLATES)("%s passes every value through its language's helper", async (file, helper) => {
    const { outputs, blocks } = statements(await readFile(join(TEMPLATES_DIR, file), 'utf8'));
    for (const output of outputs) expect(output, file).toEqual({ helper, params: 1 });
    for (const block of blocks) expect(BLOCK_HELPERS.has(block) || block === 'ipxe/retry', block).toBe(true);
  });

  it('finds a bare value (the check can fail)', () => {
    expect(statements('echo {{deployment.hostname}} {{cmd x}}').outputs).toContainEqual({
      helper: 'deployment.hostname',
      params: 0,
    });
  });

  it.each([
    'windows/startnet.cmd.hbs',
    'windows/SetupComplete.cmd.hbs',
    'windows/winpeshl.ini.hbs',
    'partials/windows/cmd-report.hbs',
  ])('%s is stored with CRLF line endings (cmd mis-parses labels in LF-only scripts)', async (file) => {
    const source = await readFile(join(TEMPLATES_DIR, file), 'utf8');
    expect(source.match(/(?<!\r)\n/g), file).toBeNull();
  });

  it('renders cmd and INI files with CRLF only, and nothing unrendered, for every case', () => {
    for (const c of CASES) {
      const out = renderWindows(engine, machineContexts(engine, images, c));
      for (const file of ['startnet.cmd', 'SetupComplete.cmd', 'winpeshl.ini'] as const) {
        expect(out[file].match(/(?<!\r)\n/g), `${c.name}: ${file}`).toBeNull();
      }
      for (const [file, text] of Object.entries(out))
        expect(text, `${c.name}: ${file}`).not.toMatch(/\{\{|\}\}/);
    }
  });

  it('keeps passwords out of everything but the answer file', () => {
    const c = CASES.find((x) => x.settings === 'joined')!;
    const out = renderWindows(engine, machineContexts(engine, images, c));
    expect(out['autounattend.xml']).toContain(PASSWORD);
    expect(out['autounattend.xml']).toContain(Handlebars.escapeExpression(JOIN_PASSWORD));
    for (const file of Object.keys(WINDOWS_FILES) as (keyof typeof WINDOWS_FILES)[]) {
      if (file === 'autounattend.xml') continue;
      for (const secret of [PASSWORD, JOIN_PASSWORD, Handlebars.escapeExpression(JOIN_PASSWORD), 'J0in']) {
        expect(out[file], `${file} must not hold a password`).not.toContain(secret);
      }
    }
    expect(machineContexts(engine, images, c).install).not.toHaveProperty('secrets');
  });
});

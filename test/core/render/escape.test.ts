import { DOMParser } from '@xmldom/xmldom';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { cmdValue, ipxeValue, shValue, xmlValue, yamlValue } from '../../../core/render/escape.js';

const HOSTILE = [
  'a\nchain http://evil/x',
  '#!ipxe',
  '${net0/mac}',
  'x y',
  '</ComputerName><x>',
  'a: b',
  '{{x}}',
  "it's",
  'a&b|c<d>e^f%g%',
];

describe('escapers', () => {
  it.each(HOSTILE)('ipxe refuses %j when it could change the script', (value) => {
    if (/[\s${}<>|^"`\\]|^#/.test(value))
      expect(() => ipxeValue(value)).toThrow(/not safe for an iPXE script/);
    else expect(ipxeValue(value)).toBe(value);
  });

  it('ipxe lets a whole --- through (the installed-system marker on kernel lines), and nothing like it', () => {
    expect(ipxeValue('---')).toBe('---');
    for (const value of ['--', '----', '---x', '-'])
      expect(() => ipxeValue(value)).toThrow(/not safe for an iPXE script/);
  });

  it.each(['#comment', '--name=x', '&&'])(
    'ipxe refuses %j, which would act as a comment, option or chain',
    (value) => {
      expect(() => ipxeValue(value)).toThrow(/not safe for an iPXE script/);
    },
  );

  it.each(HOSTILE)('yaml keeps %j one scalar', (value) => {
    expect(parse(`key: ${yamlValue(value)}\nother: 1`)).toEqual({ key: value, other: 1 });
  });

  it.each(HOSTILE)('xml keeps %j as text', (value) => {
    if (/\n/.test(value)) return;
    const doc = new DOMParser().parseFromString(
      `<r><v a="${xmlValue(value)}">${xmlValue(value)}</v></r>`,
      'text/xml',
    );
    const v = doc.getElementsByTagName('v')[0]!;
    expect(v.textContent).toBe(value);
    expect(v.getAttribute('a')).toBe(value);
    expect(v.childNodes.length).toBe(1);
  });

  it.each(HOSTILE)('cmd refuses %j when it holds metacharacters', (value) => {
    if (/[&|<>^%\n"'!$]/.test(value)) expect(() => cmdValue(value)).toThrow(/not safe for a cmd script/);
    else expect(cmdValue(value)).toBe(value);
  });

  it.each(['\u007f', '\u0085', '\u2028', '\ufeff'])(
    'yaml escapes %j, which parsers reject or rewrite',
    (c) => {
      const rendered = yamlValue(`a${c}b`);
      expect(rendered).not.toContain(c);
      expect(parse(`key: ${rendered}`)).toEqual({ key: `a${c}b` });
    },
  );

  it('sh quotes a single quote', () => {
    expect(shValue("it's")).toBe(`'it'\\''s'`);
  });
});

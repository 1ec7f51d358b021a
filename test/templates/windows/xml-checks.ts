import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DOMParser, onWarningStopParsing } from '@xmldom/xmldom';
import { validateXML } from 'xmllint-wasm';
import xpath from 'xpath';

/** The answer file's default namespace, as `u:` in XPath expressions. */
export const select = xpath.useNamespaces({
  u: 'urn:schemas-microsoft-com:unattend',
  wcm: 'http://schemas.microsoft.com/WMIConfig/2002/State',
});

/** Parses XML and throws on any warning or error, so "well-formed" means what it says. */
export function parseXml(xml: string): Document {
  return new DOMParser({ onError: onWarningStopParsing }).parseFromString(
    xml,
    'text/xml',
  ) as unknown as Document;
}

/** Text of every node an XPath selects. */
export function texts(doc: Document, path: string): string[] {
  return (select(path, doc as unknown as Node) as Node[]).map((node) => node.textContent ?? '');
}

/** The one text an XPath selects; throws unless exactly one node matches. */
export function text(doc: Document, path: string): string {
  const found = texts(doc, path);
  if (found.length !== 1) throw new Error(`${path}: expected one node, found ${found.length}`);
  return found[0]!;
}

/** `//u:settings[@pass=…]/u:component[@name=…]` */
export const component = (pass: string, name: string) =>
  `//u:settings[@pass='${pass}']/u:component[@name='${name}']`;

/**
 * Validates answer files against the unattend XSD (test/fixtures/schemas/autounattend.xsd, from
 * cschneegans/unattend-generator) in one xmllint run; resolves with xmllint's errors.
 */
export async function validateUnattend(files: { fileName: string; contents: string }[]): Promise<string[]> {
  const schema = await readFile(join(import.meta.dirname, '../../fixtures/schemas/autounattend.xsd'), 'utf8');
  const result = await validateXML({
    xml: files,
    schema: [{ fileName: 'autounattend.xsd', contents: schema }],
  });
  return result.errors.map((e) => e.rawMessage);
}

import { readFile } from 'node:fs/promises';
import { validateXML } from 'xmllint-wasm';
import type { ReaderFinding } from './reader-finding.js';

let schema: Promise<string> | undefined;

/**
 * Checks Windows answer files as libxml2 reads them: well-formed XML, then valid against the unattend
 * XSD (core/templates/schemas/autounattend.xsd). One xmllint run for all documents (its WebAssembly start
 * costs more than a document). Returns one finding per document (null when it passes), in order.
 */
export async function checkUnattend(documents: string[]): Promise<(ReaderFinding | null)[]> {
  if (!documents.length) return [];
  schema ??= readFile(new URL('../schemas/autounattend.xsd', import.meta.url), 'utf8');
  const files = documents.map((contents, i) => ({ fileName: `doc${i}.xml`, contents }));
  const result = await validateXML({
    xml: files,
    schema: [{ fileName: 'autounattend.xsd', contents: await schema }],
  });
  const findings: (ReaderFinding | null)[] = documents.map(() => null);
  for (const error of result.errors) {
    const index = Number(/^doc(\d+)\.xml$/.exec(error.loc?.fileName ?? '')?.[1] ?? -1);
    if (index < 0 || findings[index]) continue;
    findings[index] = {
      line: error.loc?.lineNumber ?? null,
      reason: error.message
        .replace(/^Schemas validity error : /, 'not valid for the unattend schema: ')
        .trim(),
    };
  }
  return findings;
}

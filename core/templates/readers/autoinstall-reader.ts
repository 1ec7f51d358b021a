import { readFileSync } from 'node:fs';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { isMap, LineCounter, parseDocument } from 'yaml';
import type { ReaderFinding } from './reader-finding.js';

let validate: ValidateFunction | undefined;

function schemaCheck(): ValidateFunction {
  if (!validate) {
    const schema = JSON.parse(
      readFileSync(new URL('../schemas/autoinstall-schema.json', import.meta.url), 'utf8'),
    );
    const ajv = new Ajv({ strict: false, allErrors: false });
    addFormats.default(ajv);
    validate = ajv.compile(schema);
  }
  return validate;
}

/**
 * Checks Ubuntu user-data as cloud-init and subiquity read it: a `#cloud-config` YAML document whose
 * only top-level key is `autoinstall` (cloud-init in the live installer applies any other key to the
 * installer itself), valid against subiquity's autoinstall schema.
 */
export function checkAutoinstall(text: string): ReaderFinding | null {
  if (text.split('\n')[0]?.trimEnd() !== '#cloud-config') {
    return { line: 1, reason: 'user-data must start with the line #cloud-config' };
  }
  const yaml = checkYaml(text);
  if (yaml.finding) return yaml.finding;
  const { doc, lines } = yaml;
  const contents = doc!.contents;
  if (!isMap(contents)) return { line: 1, reason: 'user-data must be a mapping with an autoinstall: key' };
  for (const item of contents.items) {
    const key = String((item.key as { value?: unknown })?.value ?? item.key);
    if (key !== 'autoinstall') {
      const at = (item.key as { range?: [number] })?.range?.[0] ?? 0;
      return {
        line: lines!.linePos(at).line,
        reason: `top-level key "${key}": only autoinstall: belongs there`,
      };
    }
  }
  const autoinstall = doc!.toJS().autoinstall;
  const check = schemaCheck();
  if (check(autoinstall)) return null;
  const error = check.errors![0]!;
  const path = ['autoinstall', ...error.instancePath.split('/').filter(Boolean).map(decodeURIComponent)];
  const node = doc!.getIn(
    path.map((p) => (/^\d+$/.test(p) ? Number(p) : p)),
    true,
  ) as { range?: [number] } | undefined;
  return {
    line: node?.range ? lines!.linePos(node.range[0]).line : null,
    reason: `not valid for the autoinstall schema: ${path.join('.')} ${error.message}`,
  };
}

/** Parses YAML; a syntax error is a finding with its line. */
export function checkYaml(text: string): {
  finding: ReaderFinding | null;
  doc?: ReturnType<typeof parseDocument>;
  lines?: LineCounter;
} {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, uniqueKeys: true });
  const error = doc.errors[0];
  if (error) {
    return {
      finding: {
        line: error.linePos?.[0]?.line ?? null,
        reason: `not valid YAML: ${error.message.split('\n')[0]}`,
      },
    };
  }
  return { finding: null, doc, lines };
}

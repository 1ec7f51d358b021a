import type { TemplateKind } from '../template-names.js';
import { checkAutoinstall, checkYaml } from './autoinstall-reader.js';
import { checkIpxe } from './ipxe-reader.js';
import { checkPreseed } from './preseed-reader.js';
import type { ReaderFinding } from './reader-finding.js';
import { checkShell } from './shell-reader.js';
import { checkUnattend } from './unattend-reader.js';

/**
 * The reader's check of rendered templates, by the kind of template that rendered them: what Windows
 * Setup, subiquity, iPXE, debconf and sh would refuse. Kinds without a reader (cmd, ini, text) pass.
 * Returns one finding per document, null where it passes.
 */
export async function checkRendered(
  docs: { kind: TemplateKind; text: string }[],
): Promise<(ReaderFinding | null)[]> {
  const findings: (ReaderFinding | null)[] = docs.map(() => null);
  const unattend: number[] = [];
  for (const [i, doc] of docs.entries()) {
    switch (doc.kind) {
      case 'unattend':
        unattend.push(i);
        break;
      case 'autoinstall':
        findings[i] = checkAutoinstall(doc.text);
        break;
      case 'yaml':
        findings[i] = checkYaml(doc.text).finding;
        break;
      case 'ipxe':
        findings[i] = checkIpxe(doc.text);
        break;
      case 'preseed':
        findings[i] = checkPreseed(doc.text);
        break;
      case 'sh':
        findings[i] = await checkShell(doc.text);
        break;
      default:
        break;
    }
  }
  const xml = await checkUnattend(unattend.map((i) => docs[i]!.text));
  unattend.forEach((docIndex, k) => {
    findings[docIndex] = xml[k] ?? null;
  });
  return findings;
}

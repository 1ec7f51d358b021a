import { extname } from 'node:path';

const BY_EXTENSION: Record<string, string> = {
  '.xml': 'application/xml; charset=utf-8',
  '.yaml': 'text/yaml; charset=utf-8',
  '.yml': 'text/yaml; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
};

/** cloud-init NoCloud files have no extension but are YAML (or a #cloud-config / script). */
const YAML_NAMES = new Set(['user-data', 'meta-data', 'vendor-data', 'network-config']);

/** Content type of a rendered artifact: XML, YAML, JSON by name; cmd, ini, cfg and the rest as text. */
export function artifactContentType(artifact: string): string {
  if (YAML_NAMES.has(artifact)) return 'text/yaml; charset=utf-8';
  return BY_EXTENSION[extname(artifact).toLowerCase()] ?? 'text/plain; charset=utf-8';
}

import { xmlValue, yamlValue } from '../render/escape.js';

/** What a masked secret reads as. */
export const MASK = '********';

/**
 * Replaces every secret in rendered text — as it is and in each form a helper prints it (XML, URL,
 * YAML/JSON, sh quoting) — and every SHA-512 crypt hash, with {@link MASK}. Longest first, so a secret
 * that contains another is masked whole.
 */
export function maskSecrets(text: string, secrets: (string | null | undefined)[]): string {
  const forms = new Set<string>();
  for (const secret of secrets) {
    if (!secret || secret.length < 4) continue;
    forms.add(secret);
    forms.add(xmlValue(secret));
    forms.add(encodeURIComponent(secret));
    forms.add(yamlValue(secret).slice(1, -1));
    forms.add(secret.replace(/'/g, `'\\''`));
  }
  let masked = text;
  for (const form of [...forms].sort((a, b) => b.length - a.length)) masked = masked.split(form).join(MASK);
  return masked.replace(/\$6\$[./A-Za-z0-9]{1,16}\$[./A-Za-z0-9]{86}/g, MASK);
}

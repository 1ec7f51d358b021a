/**
 * Turns free text someone typed (a chat display name) into one word that is inert on an iPXE command
 * line: iPXE has no quoting, `${` expands settings, a word starting with `#` starts a comment and a
 * leading `-` is parsed as an option (https://ipxe.org/scripting). Used only for console messages.
 */
export function ipxeWord(value: string, max = 32): string {
  const word = value
    .normalize('NFKD')
    .replace(/[^A-Za-z0-9._@-]+/g, '_')
    .replace(/^[-_.]+/, '')
    .slice(0, max);
  return word || 'someone';
}

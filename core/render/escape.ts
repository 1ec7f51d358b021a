/**
 * Escapers for the languages Octofleet renders. Values are validated at the door (MAC, hostname, catalog
 * ids); these are the second line: a value that could still change a script's structure either gets
 * quoted for its language or makes rendering fail (a 500, never a broken script on a machine).
 */
export class UnsafeValueError extends Error {
  override name = 'UnsafeValueError';
}

/**
 * iPXE has no quoting: `${…}` expands, whitespace splits arguments and a newline starts a command
 * (ipxe.org/cfg). Only characters that are inert on an iPXE command line pass.
 */
export function ipxeValue(value: unknown): string {
  const s = String(value ?? '');
  // `_` is inert and must pass: deployment tokens in artifact and callback URLs are base64url.
  // A leading `#` starts a comment and a leading `-` an option; a whole `&&` chains a command. The one
  // exception is a whole `---`, the installers' "what follows is for the installed system" marker: it
  // only ever follows a kernel's URL, after which iPXE parses no more options.
  if (!/^[A-Za-z0-9_.~:/?#@!&'()*+,;=%\-[\]]*$/.test(s) || (/^[#-]/.test(s) && s !== '---') || s === '&&') {
    throw new UnsafeValueError(`value not safe for an iPXE script: ${JSON.stringify(s.slice(0, 60))}`);
  }
  return s;
}

/**
 * A GRUB script word, single-quoted: inside `'…'` nothing is special (no `$` expansion, no `;`, no
 * escapes), and a `'` is closed, escaped and reopened (GRUB manual, "Shell-like scripting", Quoting).
 * Control characters are refused: a newline would end the command even inside quotes for some readers.
 */
export function grubValue(value: unknown): string {
  const s = String(value ?? '');
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what this refuses
  if (/[\u0000-\u001f\u007f]/.test(s)) {
    throw new UnsafeValueError(`value not safe for a GRUB script: ${JSON.stringify(s.slice(0, 60))}`);
  }
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/** XML text or attribute content. */
export function xmlValue(value: unknown): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: XML 1.0 forbids these characters outright
  if (/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/.test(String(value ?? ''))) {
    throw new UnsafeValueError('value holds control characters that XML cannot carry');
  }
  return String(value ?? '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

/** A YAML double-quoted scalar (a JSON string is valid YAML and escapes everything that matters). */
export function yamlValue(value: unknown): string {
  // JSON leaves DEL, C1 controls and the Unicode line separators raw; YAML parsers reject or rewrite them.
  return JSON.stringify(String(value ?? '')).replace(
    /[\u007f-\u009f\u2028\u2029\ufeff]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

/** A POSIX sh single-quoted word. */
export function shValue(value: unknown): string {
  return `'${String(value ?? '').replace(/'/g, `'\\''`)}'`;
}

/**
 * A value inside a Windows cmd script. cmd's quoting cannot neutralise `%` expansion or `"` reliably, so
 * anything beyond a conservative set is refused rather than escaped.
 */
export function cmdValue(value: unknown): string {
  const s = String(value ?? '');
  // `_` is inert in cmd and must pass: deployment tokens in callback URLs are base64url.
  if (!/^[A-Za-z0-9 _.:/\\@#+=,;~()[\]{}-]*$/.test(s)) {
    throw new UnsafeValueError(`value not safe for a cmd script: ${JSON.stringify(s.slice(0, 60))}`);
  }
  return s;
}

/** A URL query or path component. */
export function urlComponent(value: unknown): string {
  return encodeURIComponent(String(value ?? ''));
}

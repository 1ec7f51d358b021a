/**
 * The files a Windows driver package's INF names, so all of them can be served next to it: drvload and
 * DISM refuse a package with any file missing (virtio-win's netkvm.inf also copies netkvmp.exe and
 * netkvmco.exe, for instance). Reads the INF format as documented at
 * learn.microsoft.com/windows-hardware/drivers/install/overview-of-inf-files: `[SourceDisksFiles]` and
 * its platform-decorated variants, `CopyFiles=` directives (file-list sections and `@file` entries) and
 * `CatalogFile`. Only plain file names are returned (no folders), once each (INF names are
 * case-insensitive), in the order first seen; the INF itself is not included.
 * @param text the INF, as text (virtio-win ships them as UTF-8/ASCII; UTF-16 must be decoded first)
 * @param arch platform decoration to include besides the undecorated sections. @defaultValue `amd64`
 */
export function infFiles(text: string, arch = 'amd64'): string[] {
  const sections = parseSections(text);
  const out = new Map<string, string>();
  const add = (name: string | undefined) => {
    const file = name?.trim().replace(/^"|"$/g, '').split(/[\\/]/).pop();
    if (file && PLAIN_FILE.test(file) && !out.has(file.toLowerCase())) out.set(file.toLowerCase(), file);
  };
  const wantedDecorations = new Set(['', arch, `nt${arch}`]);
  for (const [name, lines] of sections) {
    const [base, decoration = ''] = splitDecoration(name);
    if (base === 'sourcedisksfiles' && wantedDecorations.has(decoration)) {
      for (const line of lines) add(line.split('=')[0]);
    }
    for (const line of lines) {
      const directive = /^([A-Za-z.]+)\s*=\s*(.*)$/.exec(line);
      if (!directive) continue;
      const key = directive[1]!.toLowerCase();
      if (key === 'catalogfile' || key === `catalogfile.nt${arch}` || key === 'catalogfile.nt') {
        add(directive[2]);
      } else if (key === 'copyfiles') {
        for (const entry of directive[2]!.split(',')) {
          const item = entry.trim();
          if (item.startsWith('@')) add(item.slice(1));
          else
            for (const fileLine of sections.get(item.toLowerCase()) ?? []) {
              // destination-file-name[,source-file-name][,temporary-file-name][,flag]
              const [destination, source] = fileLine.split(',');
              add(source?.trim() ? source : destination);
            }
        }
      }
    }
  }
  return [...out.values()];
}

const PLAIN_FILE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/** `SourceDisksFiles.amd64` → [`sourcedisksfiles`, `amd64`]. */
function splitDecoration(section: string): [string, string?] {
  const dot = section.indexOf('.');
  return dot < 0 ? [section] : [section.slice(0, dot), section.slice(dot + 1)];
}

/** Section name (lower case) → its lines, without comments, blank lines and line continuations. */
function parseSections(text: string): Map<string, string[]> {
  const sections = new Map<string, string[]>();
  let current: string[] | null = null;
  const joined = text.replace(/^\uFEFF/, '').replace(/\\[ \t]*\r?\n/g, ' ');
  for (const raw of joined.split(/\r?\n/)) {
    const line = stripComment(raw).trim();
    if (!line) continue;
    const header = /^\[([^\]]+)\]$/.exec(line);
    if (header) {
      const name = header[1]!.trim().toLowerCase();
      current = sections.get(name) ?? [];
      sections.set(name, current);
    } else current?.push(line);
  }
  return sections;
}

/** A `;` starts a comment unless it is inside double quotes. */
function stripComment(line: string): string {
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    if (line[i] === '"') quoted = !quoted;
    else if (line[i] === ';' && !quoted) return line.slice(0, i);
  }
  return line;
}

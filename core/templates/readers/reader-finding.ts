/** Why a rendered template would fail where it is read, and where (1-based line; null when unknown). */
export interface ReaderFinding {
  line: number | null;
  reason: string;
}

/** 1-based line of a character offset. */
export function lineAt(text: string, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset && i < text.length; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}

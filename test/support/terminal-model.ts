/**
 * What a terminal would show after receiving `raw`: the lines of the screen, for asserting on what a
 * person sees rather than on the escape codes that drew it. Knows what readline and our screen emit:
 * CR, LF, backspace, and the CSI sequences for cursor moves (A B C D G) and erasing (J K). A character
 * is one column (the prompt and commands are ASCII; emoji elsewhere only shift what follows them).
 */
export function renderTerminal(raw: string): string[] {
  const rows: string[][] = [[]];
  let r = 0;
  let c = 0;
  const row = () => {
    while (rows.length <= r) rows.push([]);
    return rows[r]!;
  };
  const chars = Array.from(raw);
  for (let i = 0; i < chars.length; i++) {
    const ch = chars[i]!;
    if (ch === '\x1b' && chars[i + 1] === '[') {
      let j = i + 2;
      let params = '';
      while (j < chars.length && /[0-9;?]/.test(chars[j]!)) params += chars[j++];
      const op = chars[j];
      const n = Number.parseInt(params || '0', 10);
      const count = Math.max(1, n || 1);
      if (op === 'A') r = Math.max(0, r - count);
      else if (op === 'B') r += count;
      else if (op === 'C') c += count;
      else if (op === 'D') c = Math.max(0, c - count);
      else if (op === 'G') c = count - 1;
      else if (op === 'K') row().length = Math.min(row().length, c);
      else if (op === 'J') {
        row().length = Math.min(row().length, c);
        rows.length = r + 1;
      }
      i = j;
      continue;
    }
    if (ch === '\r') c = 0;
    else if (ch === '\n') r++;
    else if (ch === '\b') c = Math.max(0, c - 1);
    else if (ch >= ' ' || ch === '\t') {
      const line = row();
      while (line.length < c) line.push(' ');
      line[c++] = ch;
    }
  }
  return rows.map((line) => line.join('').trimEnd());
}

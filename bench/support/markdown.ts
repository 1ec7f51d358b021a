/** A GitHub-flavoured markdown table; numbers are right-aligned. */
export function table(headers: string[], rows: (string | number)[][]): string {
  // A column of numbers (blank cells allowed) is right-aligned.
  const right = headers.map(
    (_, i) =>
      rows.some((r) => typeof r[i] === 'number') &&
      rows.every((r) => typeof r[i] === 'number' || r[i] === ''),
  );
  const cell = (v: string | number) => String(v).replaceAll('|', '\\|');
  return [
    `| ${headers.map(cell).join(' | ')} |`,
    `| ${headers.map((_, i) => (right[i] ? '---:' : '---')).join(' | ')} |`,
    ...rows.map((r) => `| ${r.map(cell).join(' | ')} |`),
  ].join('\n');
}

/** ✅ or ❌ for a target. */
export const mark = (met: boolean) => (met ? '✅' : '❌');

import { describe, expect, it } from 'vitest';
import { createProgress } from '../../../core/terminal/progress.js';

function sink(isTTY: boolean) {
  const chunks: string[] = [];
  return { isTTY, chunks, write: (s: string) => chunks.push(s) > 0 } as unknown as NodeJS.WritableStream & {
    chunks: string[];
  };
}

describe('progress', () => {
  it('redraws one bar in place on a terminal and ends it with a newline', () => {
    const out = sink(true);
    let now = 0;
    const p = createProgress({ label: 'copying', total: 4, stream: out, now: () => now });
    p.update(1, 'a');
    now = 50;
    p.update(2, 'b'); // within 100 ms of the last drawing: skipped
    now = 200;
    p.update(3, 'c');
    p.finish();
    expect(out.chunks).toEqual([
      '\r\x1b[Kcopying [██████░░░░░░░░░░░░░░░░░░]  25% 1/4 a',
      '\r\x1b[Kcopying [██████████████████░░░░░░]  75% 3/4 c',
      '\r\x1b[Kcopying [████████████████████████] 100% 4/4\n',
    ]);
  });

  it('prints plain lines, one per tenth, through a pipe', () => {
    const out = sink(false);
    const p = createProgress({ label: 'storm', total: 1000, stream: out });
    for (let i = 1; i <= 1000; i++) p.update(i);
    p.finish();
    expect(out.chunks).toHaveLength(11); // 0 %, 10 %, …, 100 %
    expect(out.chunks[0]).toBe('storm: 0% (1/1000)\n');
    expect(out.chunks.at(-1)).toBe('storm: 100% (1000/1000)\n');
    expect(out.chunks.join('')).not.toContain('\x1b');
  });
});

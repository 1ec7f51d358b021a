import { ValidationError } from '../errors.js';
import { printable } from '../mac.js';
import { MAX_BATCH_SIZE } from './batch-request.js';

const bad = (message: string) => new ValidationError(message, undefined, 'command:bad-arguments');

/**
 * Expands a name pattern with ranges into names, in order: `web[01-03]` → web01, web02, web03;
 * `r[1-2]-n[8-9]` → r1-n8, r1-n9, r2-n8, r2-n9; `web[01-02,07]` → web01, web02, web07. A range whose
 * first bound has a leading zero, or whose bounds have the same width, is zero-padded to that width
 * (`[01-10]`, `[001-120]`); `[1-10]` is not. A pattern without brackets is itself. At most
 * `max` names (refused beyond, before anything is generated).
 */
export function expandNameRange(pattern: string, max = MAX_BATCH_SIZE): string[] {
  const parts: string[][] = [];
  let rest = pattern.trim();
  if (!rest) throw bad('an empty name; write e.g. web[01-20]');
  while (rest) {
    const open = rest.indexOf('[');
    if (open < 0) {
      if (rest.includes(']')) throw bad(`"${printable(pattern)}" has a ] without [`);
      parts.push([rest]);
      break;
    }
    if (open > 0) parts.push([rest.slice(0, open)]);
    const close = rest.indexOf(']', open);
    if (close < 0) throw bad(`"${printable(pattern)}" has a [ without ]`);
    parts.push(expandSet(rest.slice(open + 1, close), pattern, max));
    rest = rest.slice(close + 1);
  }
  const total = parts.reduce((n, p) => n * p.length, 1);
  if (total > max) {
    throw bad(`"${printable(pattern)}" names ${total} machines; at most ${max} in one request`);
  }
  return parts.reduce<string[]>((names, part) => names.flatMap((n) => part.map((p) => n + p)), ['']);
}

/** `01-03,07` → 01, 02, 03, 07. */
function expandSet(body: string, pattern: string, max: number): string[] {
  const out: string[] = [];
  for (const item of body.split(',')) {
    const m = /^\s*(\d{1,6})\s*(?:-\s*(\d{1,6})\s*)?$/.exec(item);
    if (!m) {
      throw bad(
        `"${printable(pattern)}": [${printable(body)}] is not a range; write e.g. [01-20] or [1-4,7]`,
      );
    }
    const [from, to = from] = [m[1]!, m[2]];
    const a = Number(from);
    const b = Number(to);
    if (b < a) throw bad(`"${printable(pattern)}": the range ${from}-${to} runs backwards`);
    if (b - a + 1 + out.length > max) {
      throw bad(`"${printable(pattern)}" names more than ${max} machines; at most ${max} in one request`);
    }
    const width = from.startsWith('0') || from.length === (to ?? from).length ? from.length : 0;
    for (let n = a; n <= b; n++) out.push(String(n).padStart(width, '0'));
  }
  return out;
}

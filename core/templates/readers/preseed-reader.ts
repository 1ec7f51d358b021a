import type { ReaderFinding } from './reader-finding.js';

/** debconf question types (debconf-devel(7) "Templates"). */
const TYPES = new Set([
  'string',
  'boolean',
  'select',
  'multiselect',
  'note',
  'text',
  'password',
  'title',
  'error',
  'seen',
]);

/**
 * Checks a preseed file as debconf-set-selections reads it: every line that is not blank or a comment is
 * `owner question type value` (the value may be empty); a trailing backslash joins the next line.
 * https://www.debian.org/releases/bookworm/amd64/apbs03.en.html
 */
export function checkPreseed(text: string): ReaderFinding | null {
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const start = i;
    let line = lines[i]!;
    while (line.endsWith('\\') && i + 1 < lines.length) line = line.slice(0, -1) + lines[++i];
    const trimmed = line.trim();
    if (!trimmed || trimmed.startsWith('#')) continue;
    const [owner, question, type] = trimmed.split(/\s+/);
    if (!owner || !question || !type) {
      return {
        line: start + 1,
        reason: 'a preseed line is "owner question type value"; this one has fewer words',
      };
    }
    if (!question.includes('/')) {
      return { line: start + 1, reason: `"${question.slice(0, 60)}" is not a debconf question (owner/name)` };
    }
    if (!TYPES.has(type)) {
      return {
        line: start + 1,
        reason: `"${type.slice(0, 30)}" is not a debconf type (string, boolean, select, …)`,
      };
    }
  }
  return null;
}

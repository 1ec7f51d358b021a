/** One debconf answer of a preseed file. */
export interface PreseedAnswer {
  owner: string;
  question: string;
  type: string;
  value: string;
}

/**
 * Parses a preseed file the way debconf-set-selections reads it: `#` starts a comment line, a
 * trailing backslash joins the next line, and an answer is `owner question type value` where the
 * value runs to the end of the line.
 */
export function parsePreseed(text: string): PreseedAnswer[] {
  const answers: PreseedAnswer[] = [];
  for (const line of text.replace(/\\\n/g, '').split('\n')) {
    if (/^\s*(#|$)/.test(line)) continue;
    const match = /^\s*(\S+)\s+(\S+)\s+(\S+)(?:[ \t](.*))?$/.exec(line);
    if (!match) throw new Error(`not a preseed answer: ${JSON.stringify(line)}`);
    answers.push({ owner: match[1]!, question: match[2]!, type: match[3]!, value: match[4] ?? '' });
  }
  return answers;
}

/** The answers keyed by question; fails on a question answered twice (the later would win silently). */
export function preseedMap(text: string): Map<string, PreseedAnswer> {
  const map = new Map<string, PreseedAnswer>();
  for (const answer of parsePreseed(text)) {
    if (map.has(answer.question)) throw new Error(`${answer.question} is answered twice`);
    map.set(answer.question, answer);
  }
  return map;
}

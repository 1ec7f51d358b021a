/**
 * Where to cut `text` so that at most `keep` characters stay: never between the halves of a surrogate
 * pair, after an escape backslash (Discord markdown) or inside an HTML entity (Slack's `&amp;`), so the
 * cut text still shows what it says on every platform.
 */
function cutPoint(text: string, keep: number): number {
  let at = Math.max(0, keep);
  if (/[\uD800-\uDBFF]$/.test(text.slice(0, at))) at--;
  while (at > 0 && text[at - 1] === '\\') at--;
  const entity = /&[a-z]{0,4}$/.exec(text.slice(0, at));
  if (entity) at -= entity[0].length;
  return at;
}

/** Cuts a one-line value (a title, a field, a thread name) to `max` characters, ending with `…`. */
export function clamp(text: string, max: number): string {
  if (text.length <= max) return text;
  return `${text.slice(0, cutPoint(text, max - 1))}…`;
}

/**
 * Cuts a message to at most `max` characters, ending with a note that says how much was left out (the
 * full text stays in `/deploy-status` and the admin API). Cuts at a line end when one is near.
 */
export function fitText(text: string, max: number): string {
  if (text.length <= max) return text;
  const note = (n: number) => `\n… (${n} more characters cut; see /deploy-status)`;
  let keep = max - note(text.length).length;
  const lineEnd = text.lastIndexOf('\n', keep);
  if (lineEnd > keep - 200 && lineEnd > 0) keep = lineEnd;
  keep = cutPoint(text, keep);
  return `${text.slice(0, keep)}${note(text.length - keep)}`;
}

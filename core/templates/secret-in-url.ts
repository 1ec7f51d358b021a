import { lineAt, type ReaderFinding } from './readers/reader-finding.js';

/**
 * Finds a secret printed into a URL as it is, rather than through `{{url …}}`: a password in a query
 * string ends up in web server logs, proxies and browser histories, and its `@ / : ? #` change the URL.
 * `secrets` maps a variable name to the sample value the template was rendered with; the sample values
 * hold characters percent-encoding changes, so an encoded secret does not match.
 */
export function secretInUrl(text: string, secrets: Record<string, string>): ReaderFinding | null {
  for (const [variable, value] of Object.entries(secrets)) {
    if (!value) continue;
    for (let at = text.indexOf(value); at >= 0; at = text.indexOf(value, at + 1)) {
      // The word the value sits in, back to whitespace, a quote or a tag bracket.
      let start = at;
      while (start > 0 && !/[\s"'<>`]/.test(text[start - 1]!)) start--;
      if (/[a-z][a-z0-9+.-]*:\/\//i.test(text.slice(start, at))) {
        return {
          line: lineAt(text, at),
          reason: `${variable} is printed into a URL unescaped; use {{url ${variable}}} (or keep it out of URLs)`,
        };
      }
    }
  }
  return null;
}

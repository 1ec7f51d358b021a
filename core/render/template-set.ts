/**
 * Which text of each template a render uses. The shipped files under templates/ are the built-ins; an
 * operator's version in Postgres replaces one for everybody, or for one image (`images/<id>/<name>`); a
 * deployment that started keeps the versions it was first rendered with. Each of those is a TemplateSet.
 */
export interface TemplateText {
  /** Where the text lives: `windows/autounattend.xml`, `partials/ipxe/retry`, `images/ws2025/windows/…`. */
  name: string;
  content: string;
  /** 0 for a built-in (the file), 1… for an operator's versions. */
  version: number;
  source: 'builtin' | 'operator';
}

export interface TemplateSet {
  /** The text to render for a template name (`windows/autounattend.xml`), or undefined when none exists. */
  get(name: string): TemplateText | undefined;
  /** Every template name this set can render, partials (`partials/…`) included, sorted. */
  names(): string[];
}

/** Partials are the templates under `partials/`, invoked without that prefix: `{{> ipxe/retry}}`. */
export const PARTIALS_PREFIX = 'partials/';

/** A set that answers `overrides` first, then `base`. */
export function overlaySet(base: TemplateSet, overrides: ReadonlyMap<string, TemplateText>): TemplateSet {
  if (!overrides.size) return base;
  return {
    get: (name) => overrides.get(name) ?? base.get(name),
    names: () => [...new Set([...base.names(), ...overrides.keys()])].sort(),
  };
}

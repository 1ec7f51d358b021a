import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import Handlebars from 'handlebars';
import { AppError } from '../errors.js';
import { cmdValue, grubValue, ipxeValue, shValue, urlComponent, xmlValue, yamlValue } from './escape.js';
import { sha512Crypt } from './sha512crypt.js';
import { PARTIALS_PREFIX, type TemplateSet, type TemplateText } from './template-set.js';

/** A template that failed to render: a server fault (500), never "not found". */
export class TemplateError extends AppError {
  constructor(name: string, cause: Error) {
    super('template:render-failed', `rendering ${name} failed: ${cause.message}`, 500, undefined, false);
  }
}

export interface TemplateEngine {
  /**
   * Renders the template `name` (`ipxe/install-linux.ipxe`, i.e. `templates/<name>.hbs` when built in)
   * from `set`, by default {@link TemplateEngine.current}: built-ins with operators' current versions.
   */
  render(name: string, context: object, set?: TemplateSet): string;
  has(name: string, set?: TemplateSet): boolean;
  /** Renders a template held in data (a catalog cmdline), with the same helpers and strictness. */
  renderString(source: string, context: object, label: string): string;
  /** The shipped files under the templates folder. */
  readonly builtins: TemplateSet;
  /** The set renders use when given none. */
  current(): TemplateSet;
  /** This engine rendering from `set` by default: hands a deployment's versions to code that renders by name. */
  using(set: TemplateSet): TemplateEngine;
}

export interface TemplateEngineOptions {
  /** The set renders use by default. @defaultValue the built-ins */
  current?: () => TemplateSet;
  /** The shipped files, when the caller already holds them. @defaultValue {@link builtinSet} of `dir` */
  builtins?: TemplateSet;
}

/** Helpers templates may call; anything else is refused when a template is saved. */
export const TEMPLATE_HELPERS = [
  'ipxe',
  'grub',
  'xml',
  'yaml',
  'sh',
  'cmd',
  'url',
  'json',
  'concat',
  'eq',
  'or',
  'and',
  'not',
  'sha512crypt',
] as const;

/** Handlebars' own block helpers templates may use (`log` is not one: it would print values to the console). */
export const BUILTIN_HELPERS = ['if', 'unless', 'each', 'with', 'lookup'] as const;

/**
 * `{{sha512crypt secrets.password}}`: the SHA-512 crypt of the deployment's password. The hash made when
 * the deployment was requested (`secrets.passwordHash`) is used when it belongs to this very password,
 * so answer files render without the 5000 rounds; any other value is hashed here with a fresh salt.
 */
function hashedPassword(password: unknown, options?: Handlebars.HelperOptions): string {
  const secrets = (options?.data as { root?: { secrets?: { password?: unknown; passwordHash?: unknown } } })
    ?.root?.secrets;
  if (typeof password === 'string' && password && secrets?.password === password) {
    if (typeof secrets.passwordHash === 'string') return secrets.passwordHash;
  }
  return sha512Crypt(password);
}

/** Compile options of every template: strict, and HTML escaping only for XML. */
export function compileOptions(name: string): CompileOptions {
  return { strict: true, noEscape: !isXml(name), preventIndent: true };
}

const isXml = (name: string) => /\.xml$/.test(name);

/**
 * Handlebars over template sets. Strict mode: a missing variable fails loudly instead of rendering an
 * empty string into a boot script. XML templates keep Handlebars' HTML escaping (valid XML); every other
 * language renders raw, so each value must go through its language's helper (`{{ipxe x}}`, `{{grub x}}`, `{{yaml x}}`,
 * `{{sh x}}`, `{{cmd x}}`, `{{url x}}`) — a test checks that none is bare. Partials are the set's
 * templates under `partials/`, named by their path without that prefix; a partial compiles with the
 * escaping of the template that includes it.
 */
export function createTemplateEngine(dir: string, opts: TemplateEngineOptions = {}): TemplateEngine {
  const hbs = Handlebars.create();
  hbs.registerHelper({
    ipxe: ipxeValue,
    grub: grubValue,
    // SafeString: XML templates escape by default, and the explicit helper must not escape twice.
    xml: (v: unknown) => new hbs.SafeString(xmlValue(v)),
    yaml: yamlValue,
    sh: shValue,
    cmd: cmdValue,
    url: urlComponent,
    json: (v: unknown) => JSON.stringify(v ?? null),
    // Joins its arguments into one value, so a whole message goes through one escaper (`{{grub (concat …)}}`).
    concat: (...args: unknown[]) =>
      args
        .slice(0, -1)
        .map((a) => String(a ?? ''))
        .join(''),
    eq: (a: unknown, b: unknown) => a === b,
    or: (...args: unknown[]) => args.slice(0, -1).some(Boolean),
    and: (...args: unknown[]) => args.slice(0, -1).every(Boolean),
    not: (v: unknown) => !v,
    sha512crypt: hashedPassword,
  });
  hbs.unregisterHelper('log');
  const builtins = opts.builtins ?? builtinSet(dir);
  const current = opts.current ?? (() => builtins);
  // Keyed by the text object: a version's text never changes, and a new version is a new object.
  const compiled = new WeakMap<
    TemplateText,
    { escaped?: HandlebarsTemplateDelegate; raw?: HandlebarsTemplateDelegate }
  >();
  const partialsOf = new WeakMap<TemplateSet, { escaped?: PartialMap; raw?: PartialMap }>();
  const stringCache = new Map<string, HandlebarsTemplateDelegate>();

  const compileText = (text: TemplateText, escaped: boolean): HandlebarsTemplateDelegate => {
    let entry = compiled.get(text);
    if (!entry) {
      entry = {};
      compiled.set(text, entry);
    }
    const key = escaped ? 'escaped' : 'raw';
    let template = entry[key];
    if (!template) {
      template = hbs.compile(text.content, { strict: true, noEscape: !escaped, preventIndent: true });
      entry[key] = template;
    }
    return template;
  };

  const partials = (set: TemplateSet, escaped: boolean): PartialMap => {
    let entry = partialsOf.get(set);
    if (!entry) {
      entry = {};
      partialsOf.set(set, entry);
    }
    const key = escaped ? 'escaped' : 'raw';
    let map = entry[key];
    if (!map) {
      map = {};
      for (const name of set.names()) {
        if (!name.startsWith(PARTIALS_PREFIX)) continue;
        const text = set.get(name);
        if (text) map[name.slice(PARTIALS_PREFIX.length)] = compileText(text, escaped);
      }
      entry[key] = map;
    }
    return map;
  };

  const run = (name: string, render: () => string) => {
    try {
      return render();
    } catch (error) {
      throw new TemplateError(name, error as Error);
    }
  };

  const engine: TemplateEngine = {
    builtins,
    current,
    using: (set) => ({
      ...engine,
      current: () => set,
      render: (name, context, other = set) => engine.render(name, context, other),
      has: (name, other = set) => engine.has(name, other),
    }),
    has(name, set = current()) {
      return safeTemplateName(name) && set.get(name) !== undefined;
    },
    render(name, context, set = current()) {
      const text = safeTemplateName(name) ? set.get(name) : undefined;
      if (!text) throw new TemplateError(name, new Error('no such template'));
      return run(name, () => {
        const escaped = isXml(name);
        const template = compileText(text, escaped);
        return template(context, {
          allowProtoPropertiesByDefault: false,
          partials: partials(set, escaped),
        });
      });
    },
    renderString(source, context, label) {
      const key = `${label}\0${source}`;
      let template = stringCache.get(key);
      if (!template) {
        try {
          template = hbs.compile(source, compileOptions(label));
        } catch (error) {
          throw new TemplateError(label, error as Error);
        }
        // Sources come from the catalog (a handful); an API adding images without end must not grow it.
        if (stringCache.size >= 256) stringCache.clear();
        stringCache.set(key, template);
      }
      const compiledString = template;
      return run(label, () => compiledString(context, { allowProtoPropertiesByDefault: false }));
    },
  };
  return engine;
}

type PartialMap = Record<string, HandlebarsTemplateDelegate>;

/** Template names: path segments of letters, digits, `.`, `_` and `-`, never `..`. */
export function safeTemplateName(name: string): boolean {
  return /^[a-z0-9][a-z0-9._-]*(\/[a-z0-9][a-zA-Z0-9._-]*)*$/i.test(name) && !name.includes('..');
}

/**
 * The shipped `*.hbs` files of a folder as a set. Each file is read on first use and kept: templates/ is
 * read once per process (its files change with a release, which restarts the process).
 */
export function builtinSet(dir: string): TemplateSet {
  const texts = new Map<string, TemplateText | null>();
  let listing: string[] | undefined;
  return {
    get(name) {
      let text = texts.get(name);
      if (text === undefined) {
        const path = join(dir, `${name}.hbs`);
        text =
          safeTemplateName(name) && isFile(path)
            ? { name, content: readFileSync(path, 'utf8'), version: 0, source: 'builtin' }
            : null;
        if (texts.size >= 1024) texts.clear();
        texts.set(name, text);
      }
      return text ?? undefined;
    },
    names() {
      listing ??= listFiles(dir)
        .map((file) =>
          relative(dir, file)
            .replace(/\.hbs$/, '')
            .split('\\')
            .join('/'),
        )
        .filter(safeTemplateName)
        .sort();
      return listing;
    },
  };
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

function listFiles(dir: string): string[] {
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch {
    return [];
  }
  return entries.flatMap((entry) => {
    const path = join(dir, entry);
    return statSync(path).isDirectory() ? listFiles(path) : entry.endsWith('.hbs') ? [path] : [];
  });
}

import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import Handlebars from 'handlebars';
import { AppError } from '../errors.js';
import { cmdValue, grubValue, ipxeValue, shValue, urlComponent, xmlValue, yamlValue } from './escape.js';
import { sha512Crypt } from './sha512crypt.js';

/** A template that failed to render: a server fault (500), never "not found". */
export class TemplateError extends AppError {
  constructor(name: string, cause: Error) {
    super('template:render-failed', `rendering ${name} failed: ${cause.message}`, 500, undefined, false);
  }
}

export interface TemplateEngine {
  /** Renders `templates/<name>.hbs`, e.g. `ipxe/install-linux.ipxe`. */
  render(name: string, context: object): string;
  has(name: string): boolean;
  /** Renders a template held in data (a catalog cmdline), with the same helpers and strictness. */
  renderString(source: string, context: object, label: string): string;
}

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

/**
 * Handlebars over the templates/ folder. Strict mode: a missing variable fails loudly instead of
 * rendering an empty string into a boot script. XML templates keep Handlebars' HTML escaping (valid
 * XML); every other language renders raw, so each value must go through its language's helper
 * (`{{ipxe x}}`, `{{grub x}}`, `{{yaml x}}`, `{{sh x}}`, `{{cmd x}}`, `{{url x}}`) — a test checks that none is bare.
 * Partials are files under `templates/partials/`, named by their path without `.hbs`.
 */
export function createTemplateEngine(dir: string): TemplateEngine {
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
  const partialsDir = join(dir, 'partials');
  for (const file of listFiles(partialsDir)) {
    hbs.registerPartial(relative(partialsDir, file).replace(/\.hbs$/, ''), readFileSync(file, 'utf8'));
  }
  const cache = new Map<string, HandlebarsTemplateDelegate>();
  const stringCache = new Map<string, HandlebarsTemplateDelegate>();
  const exists = new Map<string, boolean>();
  const compile = (name: string, source: string) =>
    hbs.compile(source, { strict: true, noEscape: !/\.xml$/.test(name), preventIndent: true });

  const run = (name: string, template: HandlebarsTemplateDelegate, context: object) => {
    try {
      return template(context, { allowProtoPropertiesByDefault: false });
    } catch (error) {
      throw new TemplateError(name, error as Error);
    }
  };

  return {
    has(name) {
      // Remembered like the compiled templates are: templates/ is read once per process.
      let found = exists.get(name);
      if (found === undefined) {
        found = safeName(name) && isFile(join(dir, `${name}.hbs`));
        if (exists.size >= 1024) exists.clear();
        exists.set(name, found);
      }
      return found;
    },
    render(name, context) {
      if (!safeName(name)) throw new TemplateError(name, new Error('invalid template name'));
      let template = cache.get(name);
      if (!template) {
        const source = readFileSync(join(dir, `${name}.hbs`), 'utf8');
        template = compile(name, source);
        cache.set(name, template);
      }
      return run(name, template, context);
    },
    renderString(source, context, label) {
      const key = `${label}\0${source}`;
      let template = stringCache.get(key);
      if (!template) {
        try {
          template = compile(label, source);
        } catch (error) {
          throw new TemplateError(label, error as Error);
        }
        // Sources come from the catalog (a handful); an API adding images without end must not grow it.
        if (stringCache.size >= 256) stringCache.clear();
        stringCache.set(key, template);
      }
      return run(label, template, context);
    },
  };
}

function safeName(name: string): boolean {
  return /^[a-z0-9][a-z0-9._-]*(\/[a-z0-9][a-zA-Z0-9._-]*)*$/i.test(name) && !name.includes('..');
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

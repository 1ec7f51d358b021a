import { NotFoundError, ValidationError } from '../errors.js';
import { safeTemplateName } from '../render/template-engine.js';
import { PARTIALS_PREFIX, type TemplateSet } from '../render/template-set.js';
import { IMAGE_SCOPE, imageScope } from './template-store.js';

/** What reads a rendered template, which decides how it is checked before it is accepted. */
export type TemplateKind =
  | 'ipxe'
  | 'unattend'
  | 'xml'
  | 'autoinstall'
  | 'yaml'
  | 'preseed'
  | 'sh'
  | 'cmd'
  | 'ini'
  | 'partial'
  | 'text';

/** Scripts every machine gets before it has a deployment's image: never one image's own. */
export const MACHINE_SCRIPTS = new Set(['ipxe/boot.ipxe', 'ipxe/waiting.ipxe', 'ipxe/local-boot.ipxe']);

/** The kind of a template from its name (an image's own copy has the kind of the template it replaces). */
export function templateKind(name: string): TemplateKind {
  const base = imageScope(name)?.name ?? name;
  const file = base.split('/').pop() ?? '';
  if (base.startsWith(PARTIALS_PREFIX)) return 'partial';
  if (file.endsWith('.ipxe')) return 'ipxe';
  if (file === 'autounattend.xml' || file === 'unattend.xml') return 'unattend';
  if (file.endsWith('.xml')) return 'xml';
  if (file === 'user-data') return 'autoinstall';
  if (file === 'meta-data' || file === 'vendor-data' || /\.ya?ml$/.test(file)) return 'yaml';
  if (file === 'preseed.cfg') return 'preseed';
  if (file.endsWith('.sh')) return 'sh';
  if (file.endsWith('.cmd')) return 'cmd';
  if (file.endsWith('.ini')) return 'ini';
  return 'text';
}

/**
 * Checks a template name from a request: one of the built-in files (`windows/autounattend.xml`), or an
 * image's own copy of one (`images/ws2025/windows/autounattend.xml`) for an image that exists. Anything
 * else — `../`, a name no built-in has — is a 404 naming the rule, and nothing is read or written.
 */
export function knownTemplateName(
  raw: string,
  builtins: TemplateSet,
  imageExists: (id: string) => boolean,
): string {
  const name = raw.replace(/^\/+|\/+$/g, '');
  const unknown = () =>
    new NotFoundError(
      `unknown template "${name.slice(0, 200)}": use a name from GET /api/v1/templates, or images/<image id>/<name> for one image's own copy`,
      'template:unknown',
    );
  if (name.split('/').some((segment) => segment === '..' || segment === '.')) {
    throw new ValidationError(
      'template names never contain "." or ".." segments',
      undefined,
      'template:invalid-name',
    );
  }
  if (!safeTemplateName(name) || name.length > 200) throw unknown();
  const scope = imageScope(name);
  if (name.startsWith(IMAGE_SCOPE) && !scope) throw unknown();
  if (scope && !imageExists(scope.imageId)) {
    throw new NotFoundError(
      `unknown OS image "${scope.imageId}" in template name "${name}"`,
      'template:unknown',
    );
  }
  if (!builtins.get(scope?.name ?? name) || (scope && MACHINE_SCRIPTS.has(scope.name))) throw unknown();
  return name;
}

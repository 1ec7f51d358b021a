import { type TemplateEngine, TemplateError } from '../../core/render/template-engine.js';

/** Linux x86 COMMAND_LINE_SIZE, minus room for the initrd=<name> arguments iPXE scripts add. */
const MAX_CMDLINE = 1900;
const IPXE_SAFE_WORD = /^[A-Za-z0-9._~:/?#@!&'()*+,;=%[\]-]+$/;
const IPXE_TERMINATORS = new Set(['||', '&&', ';']);

/**
 * Renders a catalog `cmdline` (a Handlebars template over the render context) and splits it into
 * kernel arguments. Each argument must be inert on an iPXE command line: no `$` (settings expansion),
 * no quotes or control characters, not a comment (`#…`) and not a command separator (`||`, `&&`, `;`);
 * see https://ipxe.org/scripting. Anything else is a template error (a 500, never a broken script).
 */
export function renderCmdline(
  templates: TemplateEngine,
  source: string,
  context: object,
  label: string,
): string[] {
  const rendered = templates.renderString(source, context, label);
  if (rendered.length > MAX_CMDLINE) {
    throw new TemplateError(
      label,
      new Error(`the kernel command line is longer than ${MAX_CMDLINE} characters`),
    );
  }
  const args = rendered.split(/[ \t]+/).filter(Boolean);
  args.forEach((arg, i) => {
    const problem = argumentProblem(arg);
    // By position, not by value: the argument may hold the deployment's token (cb=…), and this is logged.
    if (problem) throw new TemplateError(label, new Error(`kernel argument ${i + 1} ${problem}`));
  });
  return args;
}

function argumentProblem(arg: string): string | null {
  if (!IPXE_SAFE_WORD.test(arg))
    return 'holds characters iPXE would interpret ($, quotes, control characters)';
  if (arg.startsWith('#')) return 'would start an iPXE comment';
  if (IPXE_TERMINATORS.has(arg)) return 'would end the iPXE command';
  return null;
}

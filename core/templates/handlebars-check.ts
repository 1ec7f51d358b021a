import Handlebars from 'handlebars';
import { BUILTIN_HELPERS, TEMPLATE_HELPERS } from '../render/template-engine.js';
import type { ReaderFinding } from './readers/reader-finding.js';

const ALLOWED = new Set<string>([...TEMPLATE_HELPERS, ...BUILTIN_HELPERS]);
/** Names Handlebars resolves to its own helpers even without arguments. */
const HANDLEBARS_INTERNALS = new Set(['log', 'helperMissing', 'blockHelperMissing']);

// Handlebars' AST types are loose in its typings; only the fields read here are declared.
interface Node {
  type: string;
  loc?: { start: { line: number } };
  body?: Node[];
  path?: Node & { original?: unknown; parts?: string[] };
  params?: Node[];
  hash?: { pairs: { value: Node }[] };
  program?: Node;
  inverse?: Node;
  name?: Node & { original?: unknown };
  original?: unknown;
  parts?: string[];
}

/**
 * What a template may do before anything renders it: parse as Handlebars, call only Octofleet's helpers
 * and Handlebars' block helpers (no `log`, no decorators), include only partials that exist (by a fixed
 * name), and never walk into prototypes (`constructor`, `__proto__`).
 */
export function checkHandlebars(
  content: string,
  partialExists: (name: string) => boolean,
): ReaderFinding | null {
  let ast: Node;
  try {
    ast = Handlebars.parse(content) as unknown as Node;
  } catch (error) {
    const message = (error as Error).message;
    const line = /line (\d+)/.exec(message)?.[1];
    return {
      line: line ? Number(line) : null,
      reason: `not valid Handlebars: ${message.split('\n').slice(-1)[0]}`,
    };
  }
  return walk(ast, partialExists);
}

function walk(node: Node | undefined, partialExists: (name: string) => boolean): ReaderFinding | null {
  if (!node) return null;
  const line = node.loc?.start.line ?? null;
  const fail = (reason: string): ReaderFinding => ({ line, reason });
  switch (node.type) {
    case 'Program':
      for (const child of node.body ?? []) {
        const found = walk(child, partialExists);
        if (found) return found;
      }
      return null;
    case 'Decorator':
    case 'DecoratorBlock':
      return fail('decorators are not allowed');
    case 'PartialStatement':
    case 'PartialBlockStatement': {
      const name = node.name;
      if (name?.type !== 'PathExpression' || typeof name.original !== 'string') {
        return fail('partials are included by a fixed name ({{> ipxe/retry}}), not a computed one');
      }
      if (name.original !== '@partial-block' && !partialExists(name.original)) {
        return fail(`there is no partial "${name.original}" (templates under partials/)`);
      }
      return walkArgs(node, partialExists) ?? walk(node.program, partialExists);
    }
    case 'MustacheStatement':
    case 'BlockStatement':
    case 'SubExpression': {
      const path = node.path!;
      const callee = typeof path.original === 'string' ? path.original : '';
      const called = node.type === 'SubExpression' || (node.params?.length ?? 0) > 0 || !!node.hash;
      if (path.type !== 'PathExpression') return fail('a helper must be called by its name');
      if ((called && !ALLOWED.has(callee)) || HANDLEBARS_INTERNALS.has(callee)) {
        return fail(`"${callee}" is not a helper templates may use (${[...ALLOWED].join(', ')})`);
      }
      return (
        pathProblem(path, fail) ??
        walkArgs(node, partialExists) ??
        walk(node.program, partialExists) ??
        walk(node.inverse, partialExists)
      );
    }
    case 'PathExpression':
      return pathProblem(node, fail);
    default:
      return null;
  }
}

function walkArgs(node: Node, partialExists: (name: string) => boolean): ReaderFinding | null {
  for (const param of [...(node.params ?? []), ...(node.hash?.pairs.map((p) => p.value) ?? [])]) {
    const found = walk(param, partialExists);
    if (found) return found;
  }
  return null;
}

function pathProblem(path: Node, fail: (reason: string) => ReaderFinding): ReaderFinding | null {
  const bad = (path.parts ?? []).find((part) =>
    ['constructor', '__proto__', 'prototype', '__defineGetter__'].includes(part),
  );
  return bad ? fail(`"${bad}" reaches outside the template's data`) : null;
}

/**
 * Variables a template reads that its context lacks. Handlebars' strict mode fails on a missing `{{x}}`
 * but passes `undefined` to helpers (`{{ipxe deployment.nickname}}` renders empty), so the paths read at
 * the top scope — outside `each`/`with` blocks and partials, whose context is another object — are
 * looked up here in the context a sample rendered with.
 */
export function missingVariable(content: string, context: object): ReaderFinding | null {
  let ast: Node;
  try {
    ast = Handlebars.parse(content) as unknown as Node;
  } catch {
    return null; // checkHandlebars reports it
  }
  const visit = (node: Node | undefined): ReaderFinding | null => {
    if (!node) return null;
    switch (node.type) {
      case 'Program':
        for (const child of node.body ?? []) {
          const found = visit(child);
          if (found) return found;
        }
        return null;
      case 'PathExpression':
        return rootPathMissing(node, context);
      case 'MustacheStatement':
      case 'SubExpression':
        return args(node);
      case 'BlockStatement': {
        const helper = typeof node.path?.original === 'string' ? node.path.original : '';
        const found = args(node);
        if (found) return found;
        // Inside each/with the context is an element, not the root: only `if`/`unless` keep it.
        if (helper === 'if' || helper === 'unless') return visit(node.program) ?? visit(node.inverse);
        return visit(node.inverse);
      }
      default:
        return null;
    }
  };
  const args = (node: Node): ReaderFinding | null => {
    if ((node.params?.length ?? 0) === 0 && !node.hash && node.type !== 'SubExpression') return null;
    for (const param of [...(node.params ?? []), ...(node.hash?.pairs.map((p) => p.value) ?? [])]) {
      const found = visit(param);
      if (found) return found;
    }
    return null;
  };
  return visit(ast);
}

function rootPathMissing(
  path: Node & { data?: boolean; depth?: number },
  context: object,
): ReaderFinding | null {
  const parts = path.parts ?? [];
  if (path.data || path.depth || !parts.length || path.original === 'this') return null;
  let value: unknown = context;
  for (const [i, part] of parts.entries()) {
    if (value === null || typeof value !== 'object') return null; // a null value: the template checks it
    if (!Object.hasOwn(value, part)) {
      return {
        line: path.loc?.start.line ?? null,
        reason: `"${parts.slice(0, i + 1).join('.')}" is not a variable templates have`,
      };
    }
    value = (value as Record<string, unknown>)[part];
  }
  return null;
}

import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';

/** File → the repository files it imports (relative paths, `/`-separated). */
export type ImportGraph = Map<string, string[]>;

/**
 * Every relative import, re-export and dynamic import of the `.ts` files under `folders` of `root`,
 * read with TypeScript's own pre-processor (so `import type`, `export … from` and `import()` all count:
 * a cycle of types is still a knot for a reader). Specifiers ending in `.js` resolve to the `.ts` file.
 */
export function importGraph(root: string, folders: string[]): ImportGraph {
  const graph: ImportGraph = new Map();
  for (const folder of folders) {
    for (const file of tsFiles(join(root, folder))) {
      const { importedFiles } = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
      const targets = importedFiles
        .map((f) => f.fileName)
        .filter((spec) => spec.startsWith('.'))
        .map((spec) => relative(root, resolve(dirname(file), spec.replace(/\.js$/, '.ts'))));
      graph.set(relative(root, file), [...new Set(targets)]);
    }
  }
  return graph;
}

function tsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'node_modules' ? [] : tsFiles(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

/** The import cycles of `graph`: each strongly connected component of more than one file (or a self-import). */
export function importCycles(graph: ImportGraph): string[][] {
  // Tarjan's algorithm, iterative-free recursion is fine at this size (a few hundred files).
  let index = 0;
  const indexOf = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const cycles: string[][] = [];
  const visit = (file: string) => {
    indexOf.set(file, index);
    low.set(file, index++);
    stack.push(file);
    onStack.add(file);
    for (const next of graph.get(file) ?? []) {
      if (!graph.has(next)) continue;
      if (!indexOf.has(next)) {
        visit(next);
        low.set(file, Math.min(low.get(file)!, low.get(next)!));
      } else if (onStack.has(next)) {
        low.set(file, Math.min(low.get(file)!, indexOf.get(next)!));
      }
    }
    if (low.get(file) === indexOf.get(file)) {
      const component: string[] = [];
      let member: string;
      do {
        member = stack.pop()!;
        onStack.delete(member);
        component.push(member);
      } while (member !== file);
      if (component.length > 1 || graph.get(file)?.includes(file)) cycles.push(component.sort());
    }
  };
  for (const file of [...graph.keys()].sort()) if (!indexOf.has(file)) visit(file);
  return cycles;
}

/** Imports from a file under one of `from` into a file under one of `to`, as `a.ts → b.ts` lines. */
export function importsAcross(graph: ImportGraph, from: string[], to: string[]): string[] {
  const under = (file: string, folders: string[]) => folders.some((f) => file.startsWith(`${f}/`));
  return [...graph]
    .filter(([file]) => under(file, from))
    .flatMap(([file, targets]) => targets.filter((t) => under(t, to)).map((t) => `${file} → ${t}`));
}

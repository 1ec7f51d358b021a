import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type ImportGraph, importCycles, importGraph, importsAcross } from './support/import-graph.js';

// Imports point one way: cli → {bot, worker, boot-server} → chat → core (docs/architecture.md).
const ROOT = join(import.meta.dirname, '..');
const graph = importGraph(ROOT, ['core', 'chat', 'bot', 'worker', 'boot-server', 'cli']);

describe('layers', () => {
  it('reads the whole source tree', () => {
    // Guards the walker itself: a graph of a handful of files would make every rule below pass.
    expect(graph.size).toBeGreaterThan(150);
    expect(graph.get('worker/change-publisher.ts')).toContain('core/deployments/lifecycle.ts');
  });

  it('worker/ and boot-server/ never import bot/', () => {
    expect(importsAcross(graph, ['worker', 'boot-server'], ['bot'])).toEqual([]);
  });

  it('chat/ imports only core/ (and itself)', () => {
    expect(importsAcross(graph, ['chat'], ['bot', 'worker', 'boot-server', 'cli'])).toEqual([]);
  });

  it('core/ imports nothing above it', () => {
    expect(importsAcross(graph, ['core'], ['chat', 'bot', 'worker', 'boot-server', 'cli'])).toEqual([]);
  });

  it('has no import cycles', () => {
    expect(importCycles(graph)).toEqual([]);
  });
});

describe('the import walker', () => {
  it('finds a cycle of three and a self-import, and not a diamond', () => {
    const g: ImportGraph = new Map([
      ['a.ts', ['b.ts']],
      ['b.ts', ['c.ts']],
      ['c.ts', ['a.ts']],
      ['d.ts', ['d.ts']],
      ['e.ts', ['f.ts', 'g.ts']],
      ['f.ts', ['h.ts']],
      ['g.ts', ['h.ts']],
      ['h.ts', []],
    ]);
    expect(importCycles(g)).toEqual([['a.ts', 'b.ts', 'c.ts'], ['d.ts']]);
  });
});

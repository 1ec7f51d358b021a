import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { configSchema } from '../../../core/config/index.js';

describe('.env.example', () => {
  const documented = [...readFileSync('.env.example', 'utf8').matchAll(/^([A-Z][A-Z0-9_]*)=/gm)].map(
    (m) => m[1],
  );

  it('documents every configuration variable, and nothing else', () => {
    expect([...documented].sort()).toEqual(Object.keys(configSchema.shape).sort());
  });
});

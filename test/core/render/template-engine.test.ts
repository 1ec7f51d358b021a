import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { verify } from 'unixcrypt';
import { describe, expect, it } from 'vitest';
import { sha512Crypt } from '../../../core/render/sha512crypt.js';
import { createTemplateEngine } from '../../../core/render/template-engine.js';

describe('template engine: the sha512crypt helper', () => {
  const dir = mkdtempSync(join(tmpdir(), 'octofleet-templates-'));
  writeFileSync(join(dir, 'hash.txt.hbs'), '{{sha512crypt secrets.password}}');
  const engine = createTemplateEngine(dir);

  it('renders the hash made when the deployment was requested, without hashing again', () => {
    const passwordHash = sha512Crypt('Zk3-q_9');
    const out = engine.render('hash.txt', { secrets: { password: 'Zk3-q_9', passwordHash } });
    expect(out).toBe(passwordHash);
  });

  it('hashes on the spot when no stored hash exists (deployments requested before it did)', () => {
    const out = engine.render('hash.txt', { secrets: { password: 'Zk3-q_9' } });
    expect(out).toMatch(/^\$6\$/);
    expect(verify('Zk3-q_9', out)).toBe(true);
  });

  it('never renders a stored hash for a value other than the deployment password', () => {
    writeFileSync(join(dir, 'other.txt.hbs'), '{{sha512crypt other}}');
    const stored = sha512Crypt('Zk3-q_9');
    const out = engine.render('other.txt', {
      other: 'different',
      secrets: { password: 'Zk3-q_9', passwordHash: stored },
    });
    expect(out).not.toBe(stored);
    expect(verify('different', out)).toBe(true);
  });
});

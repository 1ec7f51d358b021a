import { describe, expect, it } from 'vitest';
import { createLookupCache } from '../../chat/lookup-cache.js';
import { progressBar } from '../../chat/messages/progress-bar.js';
import { clamp, fitText } from '../../chat/messages/text-fit.js';
import { shouldTakeBackReaction, verdictOfEmoji } from '../../chat/verdicts.js';

// The parts every chat adapter shares (one implementation each; the adapters' own tests show them in
// place on Discord and Slack).
describe('progressBar', () => {
  it('draws ten segments and the percentage, clamped to 0–100', () => {
    expect(progressBar(45)).toBe('▰▰▰▰▰▱▱▱▱▱ 45%');
    expect(progressBar(100)).toBe('▰▰▰▰▰▰▰▰▰▰ 100%');
    expect(progressBar(-5)).toBe('▱▱▱▱▱▱▱▱▱▱ 0%');
    expect(progressBar(140)).toBe('▰▰▰▰▰▰▰▰▰▰ 100%');
  });
});

describe('clamp', () => {
  it('leaves short text alone and ends a cut with …', () => {
    expect(clamp('web01', 10)).toBe('web01');
    expect(clamp('abcdefghijkl', 6)).toBe('abcde…');
  });

  it('never cuts a surrogate pair, an escape backslash or a Slack entity in half', () => {
    expect(clamp('abcd🙂xyz', 6)).toBe('abcd…');
    expect(clamp('abcd\\_xyz', 6)).toBe('abcd…');
    expect(clamp('ab &amp; cd', 7)).toBe('ab …');
  });
});

describe('fitText', () => {
  it('cuts at a near line end and says how much was left out', () => {
    const text = `${'a'.repeat(50)}\n${'b'.repeat(100)}`;
    const fitted = fitText(text, 120);
    expect(fitted.length).toBeLessThanOrEqual(120);
    expect(fitted).toBe(`${'a'.repeat(50)}\n… (101 more characters cut; see /deploy-status)`);
  });
});

describe('decision reactions', () => {
  it('✅ approves, ❌ rejects, anything else decides nothing', () => {
    expect(verdictOfEmoji('✅')).toBe('approve');
    expect(verdictOfEmoji('❌')).toBe('reject');
    expect(verdictOfEmoji('👍')).toBeUndefined();
  });

  it('are taken back only when refused for who reacted', () => {
    expect(shouldTakeBackReaction({ ok: false, code: 'deploy:not-approver' })).toBe(true);
    expect(shouldTakeBackReaction({ ok: false, code: 'deploy:self-approval' })).toBe(true);
    expect(shouldTakeBackReaction({ ok: false, code: 'deploy:already-decided' })).toBe(false);
    expect(shouldTakeBackReaction({ ok: true })).toBe(false);
  });
});

describe('createLookupCache (names and approver status on every platform)', () => {
  it('shares one call among concurrent lookups, keeps the answer for its time to live, never keeps errors', async () => {
    let calls = 0;
    let fail = true;
    const cache = createLookupCache(
      async (key) => {
        calls++;
        await new Promise((r) => setTimeout(r, 5));
        if (fail) throw new Error('platform down');
        return `name of ${key}`;
      },
      { ttlMs: 60_000 },
    );
    await expect(Promise.all([cache.get('U1'), cache.get('U1')])).rejects.toThrow('platform down');
    expect(calls).toBe(1);
    fail = false;
    expect(await Promise.all([cache.get('U1'), cache.get('U1')])).toEqual(['name of U1', 'name of U1']);
    expect(await cache.get('U1')).toBe('name of U1');
    expect(calls).toBe(2);
    cache.forget('U1');
    await cache.get('U1');
    expect(calls).toBe(3);
  });

  it('with a time to live of 0 asks at every lookup (a role taken away counts at once)', async () => {
    let roles = ['approver'];
    const cache = createLookupCache(async () => roles, { ttlMs: 0 });
    expect(await cache.get('U1')).toEqual(['approver']);
    roles = [];
    expect(await cache.get('U1')).toEqual([]);
  });
});

import { networkInterfaces } from 'node:os';
import { describe, expect, it } from 'vitest';
import { assessBootUrl, loadConfig } from '../../../core/config/index.js';

const own = Object.values(networkInterfaces())
  .flat()
  .find((a) => a?.family === 'IPv4' && !a.internal)?.address;

describe('assessBootUrl', () => {
  it.each([
    ['http://127.0.0.1:8080', 'loopback', /is a loopback address: machines on the network cannot reach it/],
    ['http://localhost:8080', 'loopback', /loopback/],
    ['http://0.0.0.0:8080', 'unspecified', /not an address machines can connect to/],
    ['http://192.0.2.10:8080', 'test-net', /documentation \(TEST-NET\) address, as in \.env\.example/],
  ])('flags %s as %s', (url, problem, warning) => {
    const a = assessBootUrl(loadConfig({ PUBLIC_BOOT_URL: url }));
    if (url.includes(own ?? '-')) return; // this host really is on that range
    expect(a.problem).toBe(problem);
    expect(a.warning).toMatch(warning);
  });

  it('accepts a set, reachable-looking address without a warning', () => {
    expect(assessBootUrl(loadConfig({ PUBLIC_BOOT_URL: 'http://10.20.0.5:8080' }))).toMatchObject({
      guessed: false,
      problem: null,
      warning: null,
    });
  });

  it('warns that an unset PUBLIC_BOOT_URL was guessed, and does not call this host’s own address a copied example', () => {
    const a = assessBootUrl(loadConfig({}));
    expect(a.guessed).toBe(true);
    expect(a.warning).toMatch(
      /^PUBLIC_BOOT_URL is not set: guessed http:\/\/\S+ from this host's first network address/,
    );
    if (own) expect(a.problem).toBeNull();
  });
});

import { verify } from 'unixcrypt';
import { describe, expect, it } from 'vitest';
import { UnsafeValueError } from '../../../core/render/escape.js';
import { sha512Crypt, sha512CryptWithSalt } from '../../../core/render/sha512crypt.js';

describe('sha512crypt', () => {
  // Test vectors of the specification (https://www.akkadia.org/drepper/SHA-crypt.txt) with the default 5000 rounds.
  it.each([
    [
      'Hello world!',
      'saltstring',
      '$6$saltstring$svn8UoSVapNtMuq1ukKS4tPQd8iKwSMHWjl/O817G3uBnIFNjnQJuesI68u4OTLiBFdcbYEdFCoEOfaS35inz1',
    ],
    [
      'This is just a test',
      'toolongsaltstring',
      '$6$toolongsaltstrin$lQ8jolhgVRVhY4b5pZKaysCLi0QBxGoNeKQzQ3glMhwllF7oGDZxUhx1yxdYcz/e1JSbq3y6JMxxl8audkUEm0',
    ],
  ])('hashes %j with salt %j as the specification does', (password, salt, hash) => {
    expect(sha512CryptWithSalt(password, salt)).toBe(hash);
  });

  it('makes hashes that crypt(3) implementations accept, with a fresh 16-character salt each time', () => {
    const passwords = ['a', 'pässwörd with spaces', 'x'.repeat(80), 'Zk3-q_9'];
    for (const password of passwords) {
      const hash = sha512Crypt(password);
      expect(hash).toMatch(/^\$6\$[./0-9A-Za-z]{16}\$[./0-9A-Za-z]{86}$/);
      expect(verify(password, hash)).toBe(true);
      expect(verify(`${password}!`, hash)).toBe(false);
    }
    expect(sha512Crypt('same')).not.toBe(sha512Crypt('same'));
  });

  it('refuses an empty or missing password', () => {
    expect(() => sha512Crypt('')).toThrow(UnsafeValueError);
    expect(() => sha512Crypt(undefined)).toThrow(UnsafeValueError);
  });
});

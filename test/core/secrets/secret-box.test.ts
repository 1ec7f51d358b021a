import { describe, expect, it } from 'vitest';
import { createSecretBox, newTokenNonce } from '../../../core/secrets/secret-box.js';

const box = createSecretBox('k'.repeat(64));

describe('deployment tokens', () => {
  it('are at least 128 bits and verify for their own deployment only', async () => {
    const nonce = newTokenNonce();
    const token = box.tokenFor(42, nonce);
    expect(token.split('.')[1]!.length).toBeGreaterThanOrEqual(22);
    expect(await box.verifyToken(token, async (id) => (id === 42 ? nonce : null))).toBe(42);
    expect(await box.verifyToken(token, async () => newTokenNonce())).toBeNull();
    expect(await box.verifyToken(token.replace('42.', '43.'), async () => nonce)).toBeNull();
  });

  it.each(['', 'abc', '42', '42.', `42.${'A'.repeat(42)}`, `42.${'A'.repeat(43)}/x`, '../../etc/passwd'])(
    'refuses the malformed token %j',
    async (token) => {
      expect(await box.verifyToken(token, async () => 'n')).toBeNull();
    },
  );

  it('accept only the canonical spelling of a token', async () => {
    const nonce = newTokenNonce();
    const token = box.tokenFor(7, nonce);
    const last = token.at(-1)!;
    // The last character carries 2 unused bits: flipping them keeps the decoded bytes the same.
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const i = alphabet.indexOf(last);
    const twin = alphabet[(i & ~3) | ((i + 1) & 3)]!;
    expect(Buffer.from(token.slice(-43, -1) + twin, 'base64url')).toEqual(
      Buffer.from(token.slice(-43), 'base64url'),
    );
    expect(await box.verifyToken(token.slice(0, -1) + twin, async () => nonce)).toBeNull();
  });

  it('differ between keys', () => {
    expect(createSecretBox('a'.repeat(64)).tokenFor(1, 'n')).not.toBe(
      createSecretBox('b'.repeat(64)).tokenFor(1, 'n'),
    );
  });
});

describe('encryption at rest', () => {
  it('round-trips and never contains the plaintext', () => {
    const sealed = box.encrypt('Passw0rd!secret');
    expect(sealed).not.toContain('Passw0rd');
    expect(box.decrypt(sealed)).toBe('Passw0rd!secret');
    expect(box.encrypt('x')).not.toBe(box.encrypt('x'));
  });

  it('refuses tampered ciphertext and other keys', () => {
    const sealed = box.encrypt('secret');
    const flipped = `${sealed.slice(0, -2)}${sealed.endsWith('A') ? 'B' : 'A'}${sealed.slice(-1)}`;
    expect(() => box.decrypt(flipped)).toThrow();
    expect(() => createSecretBox('z'.repeat(64)).decrypt(sealed)).toThrow();
  });
});

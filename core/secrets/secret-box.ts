import {
  createCipheriv,
  createDecipheriv,
  createHash,
  createHmac,
  randomBytes,
  timingSafeEqual,
} from 'node:crypto';

/**
 * Symmetric secrets of one installation: derives deployment tokens and encrypts values at rest
 * (AES-256-GCM). Built from SECRET_KEY, or from a key the installation generated and stored.
 */
export interface SecretBox {
  /** The callback/artifact token of a deployment: HMAC of its id and nonce, never stored. */
  tokenFor(deploymentId: number, nonce: string): string;
  /** Constant-time check of a presented token; returns the deployment id it claims, or null. */
  verifyToken(token: string, lookupNonce: (id: number) => Promise<string | null>): Promise<number | null>;
  encrypt(plaintext: string): string;
  /** Throws when the ciphertext was altered or made with another key. */
  decrypt(ciphertext: string): string;
}

const TOKEN_RE = /^(\d{1,10})\.([A-Za-z0-9_-]{43})$/;

export function createSecretBox(keyMaterial: string): SecretBox {
  // Separate keys per purpose so a token can never be used as a ciphertext key and vice versa.
  const root = createHash('sha256').update(keyMaterial).digest();
  const tokenKey = createHmac('sha256', root).update('octofleet:token').digest();
  const encKey = createHmac('sha256', root).update('octofleet:encrypt').digest();

  const mac = (id: number, nonce: string) => createHmac('sha256', tokenKey).update(`${id}:${nonce}`).digest();

  return {
    tokenFor(id, nonce) {
      return `${id}.${mac(id, nonce).toString('base64url')}`;
    },
    async verifyToken(token, lookupNonce) {
      const match = TOKEN_RE.exec(token);
      if (!match) return null;
      const id = Number(match[1]);
      const nonce = await lookupNonce(id);
      // Compare against a dummy when the deployment is unknown, so timing says nothing either way.
      // Compared as text: decoding would accept non-canonical spellings (43 base64url characters carry
      // 258 bits, and decoders ignore the last 2), so two strings would name one token.
      const expected = Buffer.from(mac(id, nonce ?? 'unknown').toString('base64url'));
      const given = Buffer.from(match[2]!);
      const ok = given.length === expected.length && timingSafeEqual(given, expected);
      return ok && nonce !== null ? id : null;
    },
    encrypt(plaintext) {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', encKey, iv);
      const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
      return `v1.${Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64url')}`;
    },
    decrypt(ciphertext) {
      if (!ciphertext.startsWith('v1.')) throw new Error('unknown ciphertext format');
      const raw = Buffer.from(ciphertext.slice(3), 'base64url');
      const decipher = createDecipheriv('aes-256-gcm', encKey, raw.subarray(0, 12));
      decipher.setAuthTag(raw.subarray(12, 28));
      return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8');
    },
  };
}

/** A fresh random nonce for a deployment token (128 bits). */
export function newTokenNonce(): string {
  return randomBytes(16).toString('base64url');
}

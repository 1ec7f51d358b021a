import { createHash, type Hash, randomBytes } from 'node:crypto';
import { UnsafeValueError } from './escape.js';

/** crypt(3)'s base-64 alphabet; salts are drawn from it too, so they need no quoting anywhere. */
const ALPHABET = './0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const ROUNDS = 5000;
/** Byte triplets of the final digest in output order (step 22 of the specification). */
const ORDER = [
  [0, 21, 42],
  [22, 43, 1],
  [44, 2, 23],
  [3, 24, 45],
  [25, 46, 4],
  [47, 5, 26],
  [6, 27, 48],
  [28, 49, 7],
  [50, 8, 29],
  [9, 30, 51],
  [31, 52, 10],
  [53, 11, 32],
  [12, 33, 54],
  [34, 55, 13],
  [56, 14, 35],
  [15, 36, 57],
  [37, 58, 16],
  [59, 17, 38],
  [18, 39, 60],
  [40, 61, 19],
  [62, 20, 41],
] as const;

/**
 * The SHA-512 crypt(3) hash (`$6$<16-character random salt>$…`, 5000 rounds) of a password, as
 * `/etc/shadow`, subiquity's `identity.password` and d-i's `passwd/user-password-crypted` take it.
 * Linux answer files carry only this hash, never the password. The salt is new on every call. Its
 * alphabet (`[./0-9A-Za-z$]`) needs no quoting in YAML, preseed or sh.
 *
 * Computed with node:crypto's native SHA-512: the 5000 rounds took about 19 ms in pure JavaScript
 * (unixcrypt), blocking the boot server's event loop on every user-data render during a boot storm.
 * @see https://www.akkadia.org/drepper/SHA-crypt.txt
 */
export function sha512Crypt(password: unknown): string {
  if (typeof password !== 'string' || password.length === 0) {
    // An empty hash would leave the account without a password: refuse rather than render it.
    throw new UnsafeValueError('sha512crypt needs a non-empty password string');
  }
  const salt = Array.from(randomBytes(16), (b) => ALPHABET[b & 63]).join('');
  return sha512CryptWithSalt(password, salt);
}

/** The hash with a given salt (at most 16 characters are used), for tests against published vectors. */
export function sha512CryptWithSalt(password: string, salt: string): string {
  const p = Buffer.from(password, 'utf8');
  const s = Buffer.from(salt.slice(0, 16), 'utf8');
  const b = digest(p, s, p);
  const a = createHash('sha512').update(p).update(s).update(repeat(b, p.length));
  for (let n = p.length; n > 0; n >>= 1) a.update(n & 1 ? b : p);
  let c = a.digest();
  const pBytes = repeat(digestRepeated(p, p.length), p.length);
  const sBytes = repeat(digestRepeated(s, 16 + c[0]!), s.length);
  for (let i = 0; i < ROUNDS; i++) {
    const round = createHash('sha512').update(i & 1 ? pBytes : c);
    if (i % 3) round.update(sBytes);
    if (i % 7) round.update(pBytes);
    c = round.update(i & 1 ? c : pBytes).digest();
  }
  let out = '';
  const encode = (b2: number, b1: number, b0: number, chars: number) => {
    let w = (b2 << 16) | (b1 << 8) | b0;
    for (let k = 0; k < chars; k++, w >>= 6) out += ALPHABET[w & 63];
  };
  for (const [x, y, z] of ORDER) encode(c[x]!, c[y]!, c[z]!, 4);
  encode(0, 0, c[63]!, 2);
  return `$6$${s.toString('utf8')}$${out}`;
}

function digest(...parts: Buffer[]): Buffer {
  return parts.reduce((h: Hash, part) => h.update(part), createHash('sha512')).digest();
}

function digestRepeated(part: Buffer, times: number): Buffer {
  const h = createHash('sha512');
  for (let i = 0; i < times; i++) h.update(part);
  return h.digest();
}

/** `length` bytes of `block` repeated (the spec's P and S sequences). */
function repeat(block: Buffer, length: number): Buffer {
  const out = Buffer.alloc(length);
  for (let i = 0; i < length; i += block.length) block.copy(out, i, 0, Math.min(block.length, length - i));
  return out;
}

import { encrypt } from 'unixcrypt';
import { UnsafeValueError } from './escape.js';

/**
 * The SHA-512 crypt(3) hash (`$6$<16-character random salt>$…`, 5000 rounds) of a password, as
 * `/etc/shadow`, subiquity's `identity.password` and d-i's `passwd/user-password-crypted` take it.
 * Linux answer files carry only this hash, never the password. The salt is new on every call. Its
 * alphabet (`[./0-9A-Za-z$]`) needs no quoting in YAML, preseed or sh.
 * @see https://www.akkadia.org/drepper/SHA-crypt.txt
 */
export function sha512Crypt(password: unknown): string {
  if (typeof password !== 'string' || password.length === 0) {
    // An empty hash would leave the account without a password: refuse rather than render it.
    throw new UnsafeValueError('sha512crypt needs a non-empty password string');
  }
  return encrypt(password);
}

import { randomInt } from 'node:crypto';

// No look-alikes (0/O, 1/l/I) so a password read from a chat message can be typed; no characters that
// need escaping in XML, YAML, cmd or sh (& < > " ' % ^ | ` $ \).
const UPPER = 'ABCDEFGHJKLMNPQRSTUVWXYZ';
const LOWER = 'abcdefghijkmnopqrstuvwxyz';
const DIGITS = '23456789';
const SYMBOLS = '#+-=@_.:';

/**
 * A random password meeting the Windows complexity rules (all four character classes), 20 characters
 * (~115 bits). Also used for Linux, where only its SHA-512 crypt hash is rendered.
 */
export function generatePassword(length = 20): string {
  const all = UPPER + LOWER + DIGITS + SYMBOLS;
  const chars = [UPPER, LOWER, DIGITS, SYMBOLS].map((set) => set[randomInt(set.length)]!);
  while (chars.length < length) chars.push(all[randomInt(all.length)]!);
  for (let i = chars.length - 1; i > 0; i--) {
    const j = randomInt(i + 1);
    [chars[i], chars[j]] = [chars[j]!, chars[i]!];
  }
  return chars.join('');
}

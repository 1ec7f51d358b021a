import { ValidationError } from './errors.js';

/** A MAC address in canonical form: lower-case hex pairs joined by colons. */
export type Mac = string & { readonly __brand: 'Mac' };

const NOTATIONS = [
  /^([0-9a-f]{2})[:-]([0-9a-f]{2})[:-]([0-9a-f]{2})[:-]([0-9a-f]{2})[:-]([0-9a-f]{2})[:-]([0-9a-f]{2})$/i,
  /^([0-9a-f]{2})([0-9a-f]{2})\.([0-9a-f]{2})([0-9a-f]{2})\.([0-9a-f]{2})([0-9a-f]{2})$/i,
  /^([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i,
];

/**
 * Parses a MAC in any common notation (`00:15:5D:01:02:03`, `00-15-5d-01-02-03`, `0015.5d01.0203`,
 * `00155d010203`) and rejects addresses no network card can PXE-boot with.
 */
export function parseMac(input: string): Mac {
  const value = input.trim();
  const digits = value.replace(/[:.-]/g, '');
  if (!/^[0-9a-f]*$/i.test(digits)) {
    throw new ValidationError(
      `"${printable(value)}" is not a MAC address: only hex digits (0-9, a-f) are allowed`,
    );
  }
  if (digits.length !== 12) {
    throw new ValidationError(
      `"${printable(value)}" is not a MAC address: expected 12 hex digits, got ${digits.length} (e.g. 00:15:5d:01:02:03)`,
    );
  }
  const match = NOTATIONS.map((re) => re.exec(value)).find(Boolean);
  if (!match) {
    throw new ValidationError(
      `"${printable(value)}" is not a MAC notation I know: use 00:15:5d:01:02:03, 00-15-5d-01-02-03, 0015.5d01.0203 or 00155d010203`,
    );
  }
  const octets = match.slice(1, 7).map((o) => o.toLowerCase());
  const mac = octets.join(':');
  if (mac === 'ff:ff:ff:ff:ff:ff')
    throw new ValidationError(`${mac} is the broadcast address, not a machine`);
  if (mac === '00:00:00:00:00:00') throw new ValidationError(`${mac} is the all-zero address, not a machine`);
  if (Number.parseInt(octets[0]!, 16) & 1) {
    throw new ValidationError(`${mac} is a multicast address (first octet is odd), not a machine`);
  }
  return mac as Mac;
}

/** Keeps error messages one line and short whatever a user typed. */
export function printable(value: string, max = 40): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are exactly what we strip
  const clean = value.replace(/[\u0000-\u001f\u007f]/g, '?');
  return clean.length > max ? `${clean.slice(0, max)}…` : clean;
}

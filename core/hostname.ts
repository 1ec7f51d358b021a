import { ValidationError } from './errors.js';
import type { Mac } from './mac.js';
import { printable } from './mac.js';

export type OsFamily = 'windows' | 'linux';

/**
 * Validates a hostname for an OS family. Windows: NetBIOS computer name, 1–15 letters, digits and
 * hyphens, not all digits (learn.microsoft.com "Naming conventions in Active Directory"). Linux: one
 * RFC 1123 label. Whatever passes is safe in iPXE, XML, YAML, cmd and sh without quoting.
 */
export function validateHostname(input: string, family: OsFamily): string {
  const name = input.trim();
  const shown = printable(name);
  if (family === 'windows') {
    if (name.length < 1 || name.length > 15) {
      throw new ValidationError(`hostname "${shown}" must be 1–15 characters for Windows (NetBIOS limit)`);
    }
    if (!/^[A-Za-z0-9-]+$/.test(name)) {
      throw new ValidationError(`hostname "${shown}" may only hold letters, digits and hyphens`);
    }
    if (/^\d+$/.test(name)) throw new ValidationError(`hostname "${shown}" must not be all digits`);
    if (name.startsWith('-') || name.endsWith('-')) {
      throw new ValidationError(`hostname "${shown}" must not start or end with a hyphen`);
    }
    return name;
  }
  if (name.length < 1 || name.length > 63) {
    throw new ValidationError(`hostname "${shown}" must be 1–63 characters (RFC 1123 label)`);
  }
  if (!/^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/i.test(name)) {
    throw new ValidationError(
      `hostname "${shown}" may only hold letters, digits and inner hyphens (RFC 1123 label)`,
    );
  }
  return name.toLowerCase();
}

/** A stable default hostname from the MAC's last three octets, valid for both families. */
export function hostnameFromMac(mac: Mac, family: OsFamily): string {
  const tail = mac.split(':').slice(3).join('');
  return family === 'windows' ? `SRV-${tail.toUpperCase()}` : `srv-${tail}`;
}

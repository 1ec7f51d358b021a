/**
 * iPXE error numbers as a boot script reports them (`${errno}`, printed like `0x2d0c613b`; leading zeros
 * dropped). Layout (https://ipxe.org/err): bits 31–24 are the POSIX error, bits 23–8 the source file and a
 * disambiguator, bits 7–0 the PXE status. ipxe.org/<8 hex digits> explains each one.
 */

/** What a report's `code` means, for the thread. */
export interface IpxeError {
  /** Eight lower-case hex digits, as ipxe.org names it. */
  code: string;
  /** `404 Not Found`, `Connection timed out`, … */
  meaning: string;
  /** `https://ipxe.org/2d0c613b` */
  url: string;
  /**
   * A second network boot may fix it (a timeout, a refused or reset connection, a server error);
   * a missing file, a refusal or a bad image stays broken until someone changes something.
   */
  retryable: boolean;
}

/**
 * Numbers seen from Debian's iPXE 1.0.0+git-20190125 (packages ipxe and ipxe-qemu) against a real HTTP
 * server, by their top 24 bits: the low byte is the platform's status (`2d0c613b` under SeaBIOS is
 * `2d0c618e` under OVMF for the same 404). HTTP statuses are what an operator searches for.
 */
const KNOWN: Record<string, { meaning: string; retryable: boolean }> = {
  '2d0c61': { meaning: '404 Not Found', retryable: false },
  '410c61': { meaning: '403 Forbidden', retryable: false },
  '020c61': { meaning: '401 Unauthorized', retryable: false },
  '1d0c65': { meaning: 'HTTP 5xx Server Error', retryable: true },
  '0f0a60': { meaning: 'Connection reset (nothing listens on that port?)', retryable: true },
};

/** POSIX part (bits 31–24) of iPXE's numbering (include/errno.h, alphabetical), the common ones. */
const POSIX: Record<number, { meaning: string; retryable: boolean }> = {
  2: { meaning: 'Permission denied', retryable: false },
  11: { meaning: 'Operation canceled', retryable: true },
  14: { meaning: 'Connection refused', retryable: true },
  15: { meaning: 'Connection reset', retryable: true },
  23: { meaning: 'Host is unreachable', retryable: true },
  28: { meaning: 'Invalid argument', retryable: false },
  29: { meaning: 'Input/output error', retryable: true },
  40: { meaning: 'Network unreachable', retryable: true },
  44: { meaning: 'No such device', retryable: false },
  45: { meaning: 'No such file or directory', retryable: false },
  46: { meaning: 'Exec format error (not a bootable image)', retryable: false },
  49: { meaning: 'Not enough memory', retryable: false },
  52: { meaning: 'No space left on device', retryable: false },
  60: { meaning: 'Operation not supported', retryable: false },
  65: { meaning: 'Operation not permitted', retryable: false },
  75: { meaning: 'Timer expired', retryable: true },
  76: { meaning: 'Connection timed out', retryable: true },
};

/** Reads a reported code; null when it is absent or not an iPXE error number. */
export function parseIpxeError(raw: string | undefined): IpxeError | null {
  const match = /^(?:0x)?([0-9a-f]{1,8})$/i.exec(raw?.trim() ?? '');
  if (!match) return null;
  const code = match[1]!.toLowerCase().padStart(8, '0');
  if (code === '00000000') return null;
  const known = KNOWN[code.slice(0, 6)] ?? POSIX[Number.parseInt(code.slice(0, 2), 16)];
  return {
    code,
    meaning: known?.meaning ?? `error ${code}`,
    url: `https://ipxe.org/${code}`,
    retryable: known?.retryable ?? false,
  };
}

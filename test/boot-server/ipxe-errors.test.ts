import { describe, expect, it } from 'vitest';
import { parseIpxeError } from '../../boot-server/ipxe/ipxe-errors.js';

describe('parseIpxeError', () => {
  it.each([
    // Seen from Debian's 2019 iPXE: the same 404 ends in 3b under SeaBIOS and 8e under OVMF.
    ['0x2d0c613b', '2d0c613b', '404 Not Found', false],
    ['0x2d0c618e', '2d0c618e', '404 Not Found', false],
    ['0x410c613c', '410c613c', '403 Forbidden', false],
    ['0x20c613c', '020c613c', '401 Unauthorized', false],
    ['0x1d0c6539', '1d0c6539', 'HTTP 5xx Server Error', true],
    ['0xf0a6039', '0f0a6039', 'Connection reset (nothing listens on that port?)', true],
    ['0x4c106035', '4c106035', 'Connection timed out', true],
    ['0x2e008081', '2e008081', 'Exec format error (not a bootable image)', false],
    ['7f123456', '7f123456', 'error 7f123456', false],
  ])('%s → %s %s', (raw, code, meaning, retryable) => {
    expect(parseIpxeError(raw)).toEqual({ code, meaning, retryable, url: `https://ipxe.org/${code}` });
  });

  it.each([undefined, '', '0x0', 'nonsense', '0x123456789', '-1'])('ignores %s', (raw) => {
    expect(parseIpxeError(raw)).toBeNull();
  });
});

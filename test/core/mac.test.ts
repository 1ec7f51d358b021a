import { describe, expect, it } from 'vitest';
import { parseMac } from '../../core/mac.js';

describe('parseMac', () => {
  it.each([
    ['colons, upper case', '00:15:5D:01:02:03'],
    ['hyphens', '00-15-5d-01-02-03'],
    ['Cisco dots', '0015.5d01.0203'],
    ['bare hex', '00155d010203'],
    ['surrounding space', '  00:15:5d:01:02:03 '],
  ])('accepts %s', (_name, input) => {
    expect(parseMac(input)).toBe('00:15:5d:01:02:03');
  });

  it.each([
    ['too short', '00:15:5d:01:02', /expected 12 hex digits, got 10/],
    ['too long', '00:15:5d:01:02:03:04', /expected 12 hex digits, got 14/],
    ['non-hex', '00:15:5g:01:02:03', /only hex digits/],
    ['mixed separators in odd places', '0015:5d01:0203', /not a MAC notation/],
    ['broadcast', 'ff:ff:ff:ff:ff:ff', /broadcast/],
    ['all zero', '000000000000', /all-zero/],
    ['multicast', '01:00:5e:00:00:01', /multicast/],
    ['empty', '', /expected 12 hex digits, got 0/],
    ['injection attempt', '00:15:5d:01:02:03\nchain http://evil', /only hex digits/],
  ])('rejects %s', (_name, input, message) => {
    expect(() => parseMac(input)).toThrow(message);
  });

  it('keeps error messages on one line whatever was typed', () => {
    expect(() => parseMac('zz\n#!ipxe\nshell')).toThrow(/^[^\n]*$/);
  });
});

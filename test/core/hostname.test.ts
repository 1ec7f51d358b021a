import { describe, expect, it } from 'vitest';
import { hostnameFromMac, validateHostname } from '../../core/hostname.js';
import { parseMac } from '../../core/mac.js';

describe('validateHostname (windows: NetBIOS)', () => {
  it.each(['srv01', 'SRV-WEB-01', 'a', 'ABCDEFGHIJKLMNO'])('accepts %s', (name) => {
    expect(validateHostname(name, 'windows')).toBe(name);
  });
  it.each([
    ['16 characters', 'ABCDEFGHIJKLMNOP', /1–15 characters/],
    ['all digits', '12345', /all digits/],
    ['underscore', 'srv_01', /letters, digits and hyphens/],
    ['dot', 'srv.corp', /letters, digits and hyphens/],
    ['leading hyphen', '-srv', /start or end/],
    ['XML breaker', 'a</b>', /letters, digits and hyphens/],
    ['cmd metacharacters', 'a&del', /letters, digits and hyphens/],
    ['newline', 'srv\n01', /letters, digits and hyphens/],
  ])('rejects %s', (_n, name, message) => {
    expect(() => validateHostname(name, 'windows')).toThrow(message);
  });
});

describe('validateHostname (linux: RFC 1123 label)', () => {
  it('accepts and lower-cases a label', () => {
    expect(validateHostname('Web-01', 'linux')).toBe('web-01');
  });
  it.each([
    ['64 characters', 'a'.repeat(64), /1–63 characters/],
    ['trailing hyphen', 'web-', /inner hyphens/],
    ['YAML breaker', 'a: b', /inner hyphens/],
    ['template braces', '{{x}}', /inner hyphens/],
    ['iPXE expansion', '${net0/mac}', /inner hyphens/],
  ])('rejects %s', (_n, name, message) => {
    expect(() => validateHostname(name, 'linux')).toThrow(message);
  });
});

describe('hostnameFromMac', () => {
  it('derives a valid name for both families', () => {
    const mac = parseMac('00:15:5d:01:02:03');
    expect(validateHostname(hostnameFromMac(mac, 'windows'), 'windows')).toBe('SRV-010203');
    expect(validateHostname(hostnameFromMac(mac, 'linux'), 'linux')).toBe('srv-010203');
  });
});

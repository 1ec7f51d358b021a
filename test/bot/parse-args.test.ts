import { describe, expect, it } from 'vitest';
import {
  deployOptions,
  firstArgument,
  parseDeploymentId,
  parseDeployText,
} from '../../bot/commands/parse-args.js';

describe('parseDeployText', () => {
  it.each([
    ['mac:00:15:5d:01:02:03 os:ws2025', { mac: '00:15:5d:01:02:03', os: 'ws2025' }],
    ['os:ws2025 mac:00-15-5d-01-02-03', { os: 'ws2025', mac: '00-15-5d-01-02-03' }],
    [
      'hostname:srv01 profile:kvm edition:datacenter os:ws2025 mac:0015.5d01.0203',
      { hostname: 'srv01', profile: 'kvm', edition: 'datacenter', os: 'ws2025', mac: '0015.5d01.0203' },
    ],
    ['  MAC=00155d010203   OS=ubuntu2404 ', { mac: '00155d010203', os: 'ubuntu2404' }],
    ['mac: 00:15:5d:01:02:03 os: ws2025', { mac: '00:15:5d:01:02:03', os: 'ws2025' }],
  ])('%s', (text, expected) => {
    expect(parseDeployText(text)).toEqual(expected);
  });

  it.each([
    [
      '',
      'tell me what to deploy: /deploy mac:<mac>[,<mac>…]|host:<machine> os:<id> [edition:<name>] [hostname:<name or web[01-20]>] [profile:auto|hyperv-gen2|kvm|baremetal]',
    ],
    [
      '00:15:5d:01:02:03',
      '"00:15:5d:01:02:03" is not an option; write key:value, e.g. mac:00:15:5d:01:02:03 os:ws2025',
    ],
    [
      'mac:00:15:5d:01:02:03 color:red',
      'unknown option "color"; use mac:, host:, os:, edition:, hostname:, profile:, tag:',
    ],
    ['mac:00:15:5d:01:02:03 os:', 'os: needs a value, e.g. os:ws2025 (see /images)'],
    ['mac:1 mac:2', 'mac: is given twice; give each option once'],
    [
      'os:ws2025 hostname',
      '"hostname" is not an option; write key:value, e.g. mac:00:15:5d:01:02:03 os:ws2025',
    ],
  ])('refuses %j with one line that says what to fix', (text, message) => {
    expect(() => parseDeployText(text)).toThrow(message);
    try {
      parseDeployText(text);
    } catch (error) {
      expect((error as Error).message).not.toContain('\n');
      expect(error).toMatchObject({ code: 'command:bad-arguments', status: 422 });
    }
  });
});

describe('deployOptions (options a platform parsed)', () => {
  it('keeps known keys, drops blanks', () => {
    expect(
      deployOptions({ mac: ' 00:15:5d:01:02:03 ', os: 'ws2025', hostname: '', edition: undefined }),
    ).toEqual({
      mac: '00:15:5d:01:02:03',
      os: 'ws2025',
    });
  });
  it('refuses unknown keys', () => {
    expect(() => deployOptions({ mac: 'x', sudo: 'yes' })).toThrow('unknown option "sudo"');
  });
});

describe('deployment arguments', () => {
  it('takes 42 and #42', () => {
    expect(parseDeploymentId('42', 'use /x')).toBe(42);
    expect(parseDeploymentId('#42', 'use /x')).toBe(42);
  });
  it.each(['4x', '-1', '1e3', '9999999999'])('refuses %s', (arg) => {
    expect(() => parseDeploymentId(arg, 'use /deploy-cancel <id>')).toThrow(
      /is not a deployment number; use \/deploy-cancel <id>$/,
    );
  });
  it('splits the argument from a reason', () => {
    expect(firstArgument('42 wrong  disk', undefined, 'u')).toEqual({ arg: '42', rest: 'wrong disk' });
    expect(firstArgument(undefined, { id: 42, reason: 'r' }, 'u')).toEqual({ arg: '42', rest: 'r' });
    expect(() => firstArgument(' ', undefined, 'use /approve <id>')).toThrow(
      'which deployment? use /approve <id>',
    );
  });
});

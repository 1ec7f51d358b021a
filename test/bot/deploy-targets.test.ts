import { describe, expect, it } from 'vitest';
import { planDeploy } from '../../bot/commands/deploy-targets.js';
import { parseDeployText } from '../../bot/commands/parse-args.js';

const plan = (text: string) => planDeploy(parseDeployText(text));

describe('planDeploy', () => {
  it('keeps one MAC a plain deployment', () => {
    expect(plan('mac:00:15:5d:01:02:03 os:ws2025 hostname:srv01')).toEqual({
      kind: 'single',
      request: { mac: '00:15:5d:01:02:03', os: 'ws2025', hostname: 'srv01' },
    });
  });

  it('makes several MACs a batch, pairing a hostname range with them in order', () => {
    expect(
      plan('mac:52:54:00:00:00:01,52:54:00:00:00:02 hostname:web[01-02] os:ubuntu2404 profile:kvm'),
    ).toEqual({
      kind: 'batch',
      shared: { os: 'ubuntu2404', profile: 'kvm', edition: undefined },
      items: [
        { mac: '52:54:00:00:00:01', hostname: 'web01' },
        { mac: '52:54:00:00:00:02', hostname: 'web02' },
      ],
    });
    expect(plan('mac:a,b,c os:x')).toMatchObject({ items: [{ mac: 'a' }, { mac: 'b' }, { mac: 'c' }] });
  });

  it('expands host: ranges into inventory names and passes tag: on', () => {
    expect(plan('host:web[01-03],db1 os:x')).toMatchObject({
      kind: 'batch',
      items: [{ machine: 'web01' }, { machine: 'web02' }, { machine: 'web03' }, { machine: 'db1' }],
    });
    expect(plan('tag:rack12 os:x')).toMatchObject({ kind: 'tag', tag: 'rack12' });
    expect(plan('host:web07 os:x')).toEqual({ kind: 'single', request: { os: 'x', machine: 'web07' } });
  });

  it.each([
    [
      'mac:a,b hostname:web[01-03] os:x',
      '2 MAC(s) but 3 hostname(s) from "web[01-03]": give one hostname per MAC, in the same order',
    ],
    ['mac:a hostname:web[01-02] os:x', '1 MAC(s) but 2 hostname(s)'],
    ['mac:a host:web01 os:x', 'name the machines one way: mac: or host:, not both'],
    ['host:web[01-02] hostname:x os:x', 'hostname: cannot be given with several host: machines'],
    ['host:web[1-600] os:x', 'at most 500'],
  ])('refuses %s', (text, message) => {
    expect(() => plan(text)).toThrow(message);
  });
});

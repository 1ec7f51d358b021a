import { describe, expect, it } from 'vitest';
import { mapSubiquityEvent, type SubiquityEvent } from '../../boot-server/subiquity-events.js';

const ev = (event_type: string, name: string, result?: string, description = 'step'): SubiquityEvent => ({
  event_type,
  name,
  result,
  description,
  origin: 'curtin',
});

describe('subiquity/curtin reporting events → callback stages', () => {
  it.each<[string, SubiquityEvent, ReturnType<typeof mapSubiquityEvent>]>([
    [
      'the install phase starting',
      ev('start', 'subiquity/Install/install'),
      { kind: 'record', stage: 'installer', message: 'started subiquity/Install/install: step' },
    ],
    [
      'a step finishing',
      ev('finish', 'subiquity/Install/install/configure_apt', 'SUCCESS'),
      {
        kind: 'record',
        stage: 'installer',
        message: 'finished subiquity/Install/install/configure_apt: step',
      },
    ],
    [
      'the install phase finishing',
      ev('finish', 'subiquity/Install/install', 'SUCCESS'),
      { kind: 'record', stage: 'late_command', message: 'installation finished' },
    ],
    [
      'the install phase finishing with warnings',
      ev('finish', 'subiquity/Install/install', 'WARN'),
      { kind: 'record', stage: 'late_command', message: 'installation finished with warnings' },
    ],
    [
      'a failed step',
      ev('finish', 'subiquity/Install/install/curtin_install', 'FAIL', 'curtin failed'),
      {
        kind: 'record',
        stage: 'failed',
        message: 'installer step failed: subiquity/Install/install/curtin_install: curtin failed',
      },
    ],
    [
      'a failure result in lower case',
      ev('finish', 'cmd-install', 'fail', 'x'),
      { kind: 'record', stage: 'failed', message: 'installer step failed: cmd-install: x' },
    ],
    [
      'installer API polling',
      ev('finish', 'subiquity/Meta/status_GET', 'SUCCESS'),
      { kind: 'ignore', reason: 'installer API chatter' },
    ],
    [
      'an API call',
      ev('start', 'subiquity/Storage/v2_POST'),
      { kind: 'ignore', reason: 'installer API chatter' },
    ],
    [
      'a nested step starting',
      ev('start', 'subiquity/Install/install/configure_apt'),
      { kind: 'ignore', reason: 'nested installer step' },
    ],
    [
      'a deeply nested step finishing',
      ev('finish', 'subiquity/Install/install/curtin_install/run/stage', 'SUCCESS'),
      { kind: 'ignore', reason: 'nested installer step' },
    ],
    [
      'a log event',
      ev('log', 'subiquity/Install/install'),
      { kind: 'ignore', reason: 'event_type log is not reported' },
    ],
  ])('%s', (_name, event, expected) => {
    expect(mapSubiquityEvent(event)).toEqual(expected);
  });
});

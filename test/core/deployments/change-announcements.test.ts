import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Core } from '../../../core/create-core.js';
import { listenToChannel } from '../../../core/db/pg-listener.js';
import {
  announceChanges,
  DEPLOYMENT_CHANGES_CHANNEL,
  decodeChange,
  encodeChange,
} from '../../../core/deployments/change-announcements.js';
import type { DeploymentChange } from '../../../core/deployments/deployment-service.js';
import { createTestCore } from '../../support/test-core.js';
import { until } from '../../support/until.js';

let core: Core;
beforeAll(async () => {
  core = await createTestCore();
});
afterAll(() => core?.close());

describe('deployment change announcements', () => {
  it('round-trip a change, with and without the state it left', () => {
    const changes: DeploymentChange[] = [
      { deploymentId: 7, state: 'booting', kind: 'state', from: 'approved' },
      { deploymentId: 8, state: 'installing', kind: 'event' },
      { deploymentId: 9, state: 'pending_approval', kind: 'created' },
    ];
    for (const change of changes) expect(decodeChange(encodeChange(change))).toEqual(change);
  });

  it.each([
    ['not JSON', 'booting'],
    ['an unknown state', '{"deploymentId":1,"state":"rebooting","kind":"state"}'],
    ['an id that is not a positive integer', '{"deploymentId":0,"state":"done","kind":"state"}'],
    ['an unknown kind', '{"deploymentId":1,"state":"done","kind":"poke"}'],
    ['a missing state', '{"deploymentId":1,"kind":"event"}'],
  ])('refuse a payload with %s', (_, payload) => {
    expect(decodeChange(payload)).toBeNull();
  });

  it('are heard in the order they were committed, however many arrive at once', async () => {
    const heard: DeploymentChange[] = [];
    const listener = listenToChannel(core.config.DATABASE_URL, DEPLOYMENT_CHANGES_CHANNEL, {
      onNotification: (payload) => heard.push(decodeChange(payload)!),
    });
    let announce: ((change: DeploymentChange) => void | Promise<void>) | undefined;
    const announcer = announceChanges({
      sql: core.sql,
      onChange: (listener) => {
        announce = listener;
      },
    });
    try {
      await until(() => listener.listening(), 'the test listens');
      const sent = Array.from(
        { length: 600 },
        (_, i): DeploymentChange => ({
          deploymentId: i + 1,
          state: i % 2 ? 'installing' : 'configuring',
          kind: 'state',
        }),
      );
      await Promise.all(sent.map((change) => announce!(change)));
      await until(() => heard.length === sent.length, 'every announcement arrives');
      expect(heard).toEqual(sent);
    } finally {
      announcer.close();
      await listener.close();
    }
  });
});

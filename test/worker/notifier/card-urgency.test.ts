import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MessagePriority, PlatformName, RateBucket } from '../../../chat/chat-platform.js';
import type { CardModel } from '../../../chat/messages/card.js';
import type { Core } from '../../../core/create-core.js';
import type { Actor } from '../../../core/deployments/deployment.entity.js';
import { cardHash } from '../../../worker/notifier/card-cache.js';
import { createDeploymentLocks, type DeploymentLocks } from '../../../worker/notifier/deployment-lock.js';
import { type NotifierDeps, notifyDeployment } from '../../../worker/notifier/notifier.js';
import { RecordingPlatform } from '../../support/recording-platform.js';
import { createTestCore } from '../../support/test-core.js';

const api: Actor = { platform: 'api', id: 'ci', name: 'ci' };
const bob: Actor = { platform: 'api', id: 'bob', name: 'bob' };

let core: Core;
let locks: DeploymentLocks;
beforeAll(async () => {
  core = await createTestCore();
  locks = createDeploymentLocks(core.config.DATABASE_URL);
});
afterAll(async () => {
  await locks?.close();
  await core?.close();
});

describe('card edits under a saturated edit budget', () => {
  it("keep a finished deployment's urgency after its thread line went out first", async () => {
    const { deployment } = await core.deployments.request({ mac: '52:54:00:c0:00:01', os: 'ws2025' }, api);
    const id = deployment.id;
    await core.deployments.approve(id, bob, { approver: true });
    await core.deployments.markBooting(id, { platform: 'efi' }, 'kvm');

    // The card-edit bucket refuses once (Discord's 5 edits per 5 s already spent by other cards).
    const editPriorities: MessagePriority[] = [];
    let refused = false;
    const shown = new Map<string, string>();
    const platform = new RecordingPlatform({ limits: 'discord' });
    const deps: NotifierDeps = {
      core,
      platforms: new Map<PlatformName, RecordingPlatform>([['discord', platform]]),
      locks,
      limiter: {
        async take(buckets: RateBucket[], priority: MessagePriority = 'final') {
          if (!buckets[0]?.key.startsWith('discord:edit:')) return 0;
          editPriorities.push(priority);
          if (refused) return 0;
          refused = true;
          return 1000;
        },
        async backlog() {
          return 0;
        },
        async release() {},
        async block() {},
      },
      cards: {
        isCurrent: async (p: string, card: CardModel) =>
          shown.get(`${p}:${card.deploymentId}`) === cardHash(card),
        remember: async (p: string, card: CardModel) =>
          void shown.set(`${p}:${card.deploymentId}`, cardHash(card)),
        drawnAt: async () => null,
      },
    };

    // The card and the thread so far (approved, booting).
    expect(await notifyDeployment(deps, id)).toMatchObject({ kind: 'done' });
    await core.deployments.recordEvent(id, { stage: 'done', source: 'installer' });
    // The done line goes out; the card edit has to wait.
    expect(await notifyDeployment(deps, id)).toMatchObject({ kind: 'wait', priority: 'final' });
    expect(platform.threadLines(id).some((l) => l.startsWith('✅ Done'))).toBe(true);
    // Next run: only the card is left, and it still carries a final state.
    expect(await notifyDeployment(deps, id)).toMatchObject({ kind: 'done', cardCalls: 1 });
    expect(editPriorities).toEqual(['final', 'final']);
    expect(platform.cardOf(id)?.card.status).toBe('done');
  });
});

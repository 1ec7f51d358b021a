import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Actor } from '../../core/deployments/deployment.entity.js';
import { reconcile } from '../../worker/reconciler.js';
import { createScheduler } from '../../worker/schedule.js';
import { type Harness, settled, startHarness } from './support/harness.js';

const api: Actor = { platform: 'api', id: 'ci', name: 'ci' };
const bob: Actor = { platform: 'api', id: 'bob', name: 'bob' };
let h: Harness;
beforeAll(async () => {
  h = await startHarness({ BATCH_DIGEST_MS: '100' });
});
afterAll(() => h?.close());

describe("a batch's closing summary", () => {
  it('survives a worker killed after marking the last lines and before posting it', async () => {
    const machines = [1, 2, 3].map((i) => ({ mac: `52:54:00:5e:00:0${i}`, hostname: `sum${i}` }));
    const { batch, deployments } = await h.core.batches.create({ os: 'ubuntu2404', machines }, api);
    await h.core.batches.approve(batch.id, bob, { approver: true });
    for (const { deployment } of deployments) {
      await h.core.deployments.markBooting(deployment.id, { platform: 'efi' }, 'kvm');
      await h.core.deployments.recordEvent(deployment.id, { stage: 'done', source: 'installer' });
    }
    const summaries = () => h.platform.batchThread(batch.id).filter((m) => m.startsWith('🏁'));
    await h.platform.waitFor(() => summaries().length === 1, 'the summary');
    await settled(h);

    // What a worker killed between marking the last lines and posting the summary leaves behind: every
    // event marked posted, no summary in chat or in Postgres, and no job (it died with the worker, or
    // Redis lost it).
    const thread = h.platform.threads.get(-batch.id)!;
    thread.splice(
      thread.findIndex((m) => m.startsWith('🏁')),
      1,
    );
    await h.core.sql.query(`update "batch_chat_ref" set "summary_posted_at" = null where "batch_id" = $1`, [
      batch.id,
    ]);
    expect(await h.core.deployments.repository().deploymentsWithUnpostedEvents()).toEqual([]);

    // The periodic reconciliation (no card sweep) finds it from the rows alone.
    await reconcile(h.core, createScheduler(h.queues, h.core.config));
    await h.platform.waitFor(() => summaries().length === 1, 'the summary, once');
    await settled(h);
    expect(summaries()).toEqual([expect.stringMatching(/^🏁 Batch #\d+ finished: 3 done of 3/)]);
    // Once posted, it is not due any more.
    expect(await h.core.batches.repository().withSummaryDue()).not.toContain(batch.id);
  });
});

// A worker in its own process, for the crash test: `tsx worker-process.ts` with the test's env.
// Every chat call that took effect is one JSON line on stdout; with HOLD_TEXT set, the first thread
// message containing it prints {"held": …} and never completes, so the test can SIGKILL mid-post.
import type { ChatPlatform } from '../../../chat/chat-platform.js';
import { loadConfig } from '../../../core/config/index.js';
import { createCore } from '../../../core/create-core.js';
import { createLogger } from '../../../core/logger.js';
import { createQueues } from '../../../core/queues.js';
import { connectChangePublisher } from '../../../worker/change-publisher.js';
import { createWorker } from '../../../worker/create-worker.js';

const out = (line: object) => process.stdout.write(`${JSON.stringify(line)}\n`);
const hold = process.env.HOLD_TEXT;
let held = false;

const platform: ChatPlatform = {
  name: 'discord',
  defaultChannel: 'C-deploys',
  maxMessageLength: 2000,
  async start() {},
  async stop() {},
  async postCard(_channel, card) {
    out({ action: 'postCard', deploymentId: card.deploymentId, batchId: card.batch?.id });
    return { messageId: card.batch ? `Mb${card.batch.id}` : `M${card.deploymentId}` };
  },
  async updateCard(ref, card) {
    out({ action: 'updateCard', deploymentId: ref.deploymentId, batchId: ref.batchId, status: card.status });
  },
  async ensureThread(ref) {
    out({ action: 'createThread', deploymentId: ref.deploymentId, batchId: ref.batchId });
    return { threadId: `T${ref.cardMessageId}` };
  },
  async postThreadMessage(ref, message) {
    if (hold && !held && message.text.includes(hold)) {
      held = true;
      out({ held: message.text, deploymentId: ref.deploymentId, batchId: ref.batchId });
      await new Promise(() => {});
    }
    out({
      action: 'postThreadMessage',
      deploymentId: ref.deploymentId,
      batchId: ref.batchId,
      text: message.text,
    });
  },
  async sendPrivate() {},
  async isApprover() {
    return false;
  },
  rateBuckets: () => [],
};

const config = loadConfig();
const core = await createCore(
  config,
  createLogger({ level: process.env.CHILD_LOG_LEVEL ?? 'silent', destination: process.stderr }),
  { migrate: false },
);
const queues = createQueues(config);
connectChangePublisher(core, queues);
const worker = createWorker(core, {
  platforms: [platform],
  queues,
  reconcileIntervalMs: 0,
  lockDurationMs: 1000,
});
await worker.start();
out({ ready: true });
process.on('SIGTERM', async () => {
  await worker.stop();
  await queues.close();
  await core.close();
  process.exit(0);
});

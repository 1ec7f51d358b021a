// `npm start` runs every role in one process; `npm run bot|boot-server|worker` runs one.
import 'dotenv/config';
import { createBootServer } from '../boot-server/create-boot-server.js';
import { ConfigError, loadConfig, redactConfig } from '../core/config/index.js';
import { createCore } from '../core/create-core.js';
import { ServiceUnavailableError } from '../core/db/orm.js';
import { announceChanges } from '../core/deployments/change-announcements.js';
import { createLogger } from '../core/logger.js';
import { createQueues } from '../core/queues.js';
import { createTerminalScreen } from '../core/terminal/terminal-screen.js';
import { connectChangePublisher } from '../worker/change-publisher.js';
import { checkRedis } from './check-redis.js';
import { octofleetVersion, startBanner, startInfo } from './start-banner.js';

const ROLES = ['all', 'bot', 'boot-server', 'worker'] as const;
type Role = (typeof ROLES)[number];

const role = (process.argv[2] ?? 'all') as Role;
if (!ROLES.includes(role)) {
  console.error(`unknown role "${role}"; use one of: ${ROLES.join(', ')}`);
  process.exit(2);
}

let config: ReturnType<typeof loadConfig>;
try {
  config = loadConfig();
} catch (error) {
  if (error instanceof ConfigError) {
    console.error(error.message);
    process.exit(1);
  }
  throw error;
}

const runsBot = role === 'all' || role === 'bot';
const runsWorker = role === 'all' || role === 'worker';
const runsBootServer = role === 'all' || role === 'boot-server';
// The shell adapter owns stdout; logs go to stderr then.
const shellChat = config.chatPlatforms.length === 0 && (runsBot || runsWorker);
// A person at a terminal: the chat is the screen. The full log goes to LOG_FILE, warnings and errors
// show as short lines above the prompt. Piped, or in production, logs stay JSON lines as before.
const terminal = shellChat && runsBot && Boolean(process.stdout.isTTY) && config.NODE_ENV !== 'production';
const screen = createTerminalScreen({ out: process.stdout, err: process.stderr });
const logger = createLogger({
  level: config.LOG_LEVEL,
  name: `octofleet:${role}`,
  destination: shellChat ? 2 : 1,
  terminal: terminal ? { screen, file: config.LOG_FILE } : undefined,
});
const roles = (['bot', 'boot-server', 'worker'] as const).filter((r) => role === 'all' || role === r);
logger.info(
  { version: octofleetVersion(), roles, publicBootUrl: config.publicBootUrl, chat: config.chatPlatforms },
  `starting ${role}`,
);
// The whole configuration once, secrets redacted, for whoever reads the log after an incident.
logger.info({ config: redactConfig(config) }, 'configuration');
if (terminal) screen.print(`Starting Octofleet (${roles.join(', ')}); full log in ${config.LOG_FILE} …`);

const stops: (() => Promise<void>)[] = [];
let stopping = false;
async function shutdown(code: number): Promise<never> {
  if (!stopping) {
    stopping = true;
    for (const stop of stops) {
      await stop().catch((error) => logger.warn({ err: error }, 'error while stopping'));
    }
  }
  process.exit(code);
}

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.on(signal, () => {
    if (stopping) return;
    logger.info({ signal }, 'draining connections and jobs, then exiting');
    if (terminal) {
      screen.releasePrompt();
      screen.print('Stopping: draining connections and jobs …');
    }
    void shutdown(0);
  });
}

try {
  await checkRedis(config.REDIS_URL);
  const core = await createCore(config, logger, { migrate: true });
  stops.unshift(() => core.close());
  const queues = createQueues(config);
  stops.unshift(() => queues.close());
  // A worker publishes its process's changes into BullMQ itself; a boot server or bot alone announces
  // them on Postgres for the workers, so the boot path never waits on Redis.
  const publisher = runsWorker ? connectChangePublisher(core, queues) : announceChanges(core);
  stops.unshift(async () => publisher.close());

  // Chat clients (discord.js, Bolt) and the worker are loaded only by the roles that use them: a boot
  // server alone stays small (its memory is a benchmark target).
  const { all: platforms, slack } =
    runsBot || runsWorker
      ? (await import('./platforms.js')).createPlatforms(core, { screen })
      : { all: [], slack: undefined };
  // Slack's HTTP receiver lives on the admin listener when it has no port of its own (SLACK_PORT=0).
  const mountSlack = Boolean(slack?.requestHandler) && config.SLACK_PORT === 0;
  if (mountSlack && role === 'bot') {
    throw new ConfigError(
      'Invalid configuration: SLACK_PORT must be set when the bot runs alone in Slack HTTP mode (the admin listener that would carry /slack/events is not in this process)',
    );
  }
  let apiPort: number | undefined;
  if (runsBootServer) {
    const adminMounts =
      mountSlack && slack?.requestHandler ? [{ path: slack.eventsPath, handler: slack.requestHandler }] : [];
    const server = createBootServer(core, { adminMounts });
    ({ apiPort } = await server.start());
    stops.unshift(() => server.stop());
  }
  if (runsBot) {
    const { createBot } = await import('../bot/create-bot.js');
    const bot = createBot(core, { platforms });
    await bot.start();
    stops.unshift(() => bot.stop());
  } else if (runsWorker) {
    // Outbound only: the notifier posts through the platforms' REST clients; no gateway, no listener.
    for (const platform of platforms) await platform.start();
    stops.unshift(async () => void (await Promise.all(platforms.map((p) => p.stop()))));
  }
  if (runsWorker) {
    const { createWorker } = await import('../worker/create-worker.js');
    const worker = createWorker(core, { platforms, queues });
    await worker.start();
    stops.unshift(() => worker.stop());
  }
  const info = startInfo(config, { roles, apiPort, logFile: terminal ? config.LOG_FILE : null });
  // In a terminal the banner shows the warning; the log file still records it.
  if (info.bootUrlWarning) logger[terminal ? 'info' : 'warn'](info.bootUrlWarning);
  logger.info({ ...info, bootUrlWarning: undefined }, `${role} ready`);
  // The banner: on the screen in a terminal; beside JSON logs only when a person watches stderr.
  if (terminal) screen.print(startBanner(info).join('\n'));
  else if (process.stderr.isTTY) process.stderr.write(`${startBanner(info).join('\n')}\n`);
} catch (error) {
  const known = error instanceof ServiceUnavailableError || error instanceof ConfigError;
  if (known) console.error((error as Error).message);
  else logger.fatal({ err: error }, 'start-up failed');
  await shutdown(1);
}

// `npm run bench [-- boot-storm|chat-fanout] [--quick] [--readme]`: runs the benchmarks, prints markdown,
// writes bench/results/latest.json (and with --readme, the README's "Benchmark results" section).
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runBootStorm } from './boot-storm/boot-storm.js';
import { bootStormMarkdown } from './boot-storm/report.js';
import { runChatFanout } from './chat-fanout/chat-fanout.js';
import { chatFanoutMarkdown } from './chat-fanout/report.js';
import { cleanUpAll } from './support/cleanup.js';
import { machineInfo } from './support/machine-info.js';
import { loadResults, saveResults } from './support/results.js';

const NAMES = ['boot-storm', 'chat-fanout'] as const;
type Name = (typeof NAMES)[number];

const args = process.argv.slice(2);
const flags = new Set(args.filter((a) => a.startsWith('--')));
const option = (name: string) => args.find((a) => a.startsWith(`--${name}=`))?.split('=')[1];
const names = args.filter((a) => !a.startsWith('--')) as Name[];
for (const name of names) {
  if (!NAMES.includes(name)) {
    console.error(`unknown benchmark "${name}"; use one of: ${NAMES.join(', ')}`);
    process.exit(2);
  }
}
const selected = names.length ? names : [...NAMES];
const resultsDir = fileURLToPath(new URL('./results/', import.meta.url));
mkdirSync(resultsDir, { recursive: true });
const say = (line: string) => console.error(`[bench] ${line}`);
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    say(`${signal}: stopping what the benchmark started and dropping its databases`);
    void cleanUpAll().finally(() => process.exit(130));
  });
}

const results = await loadResults(resultsDir);
results.machine = await machineInfo(
  process.env.BENCH_DATABASE_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres',
  process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
);
const sections: string[] = [];
if (selected.includes('boot-storm')) {
  const machines = option('machines');
  const result = await runBootStorm({
    logDir: resultsDir,
    say,
    machines: machines ? Number(machines) : undefined,
    profileDir: flags.has('--profile') ? join(resultsDir, 'profiles') : undefined,
  });
  results.bootStorm = { ranAt: new Date().toISOString(), ...result };
  sections.push(bootStormMarkdown(result));
}
if (selected.includes('chat-fanout')) {
  const quick = flags.has('--quick');
  const deployments = option('deployments');
  const seconds = option('duration');
  const result = await runChatFanout({
    logDir: resultsDir,
    say,
    deployments: deployments ? Number(deployments) : quick ? 40 : 200,
    durationMs: (seconds ? Number(seconds) : quick ? 60 : 300) * 1000,
    platforms: option('platforms')?.split(',') as ('discord' | 'slack')[] | undefined,
  });
  results.chatFanout = { ranAt: new Date().toISOString(), quick, platforms: result };
  sections.push(chatFanoutMarkdown(result));
}
await saveResults(resultsDir, results);
console.log(sections.join('\n\n'));

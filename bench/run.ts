// `npm run bench [-- boot-storm|rack-power-on|artifacts|chat-fanout|batch-fanout] [options]`: runs the benchmarks (all by default), prints
// markdown tables and writes bench/results/latest.json. Options:
//   --quick                     chat fan-out with 40 deployments over 60 s instead of 200 over 5 minutes
//   --machines=N                boot storm size (1000)
//   --deployments=N --duration=SECONDS --platforms=discord,slack    chat fan-out shape
//   batch-fanout: 10 batches × 20 and 1 × 200 machines (--duration, default 120 s; --platforms)
//   --profile                   V8 CPU profiles of the boot server into bench/results/profiles/
//   --parallel=32,128 --file-mb=256   artifact delivery shape
//   --spread=SECONDS            rack power-on: the machines (--machines) arrive over this many seconds (30)
//   --with-worker               boot storm with a worker beside the boot server (its CPU reported)
//   --readme                    also rewrite the generated block of README.md "Benchmark results"
//   --report                    run nothing: print (and with --readme, write) the saved latest.json
// BENCH_APP_NODE_OPTIONS adds node flags to the app under test (what-if runs, e.g. a heap limit).
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type ArtifactsResult, runArtifacts } from './artifacts/artifacts.js';
import { artifactsMarkdown } from './artifacts/report.js';
import { runBootStorm } from './boot-storm/boot-storm.js';
import { bootStormMarkdown } from './boot-storm/report.js';
import type { BootStormResult } from './boot-storm/targets.js';
import { batchFanoutMarkdown } from './chat-fanout/batch-report.js';
import { runBatchShapes } from './chat-fanout/batch-shapes.js';
import { type PlatformFanout, runChatFanout } from './chat-fanout/chat-fanout.js';
import { chatFanoutMarkdown } from './chat-fanout/report.js';
import { type RackPowerOnResult, runRackPowerOn } from './rack-power-on/rack-power-on.js';
import { rackPowerOnMarkdown } from './rack-power-on/report.js';
import { cleanUpAll } from './support/cleanup.js';
import { type MachineInfo, machineInfo } from './support/machine-info.js';
import { writeReadmeBlock } from './support/readme.js';
import { loadResults, saveResults } from './support/results.js';

const NAMES = ['boot-storm', 'rack-power-on', 'artifacts', 'chat-fanout', 'batch-fanout'] as const;
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
const selected = flags.has('--report') ? [] : names.length ? names : [...NAMES];
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
if (selected.length)
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
    withWorker: flags.has('--with-worker'),
  });
  results.bootStorm = { ranAt: new Date().toISOString(), ...result };
  sections.push(bootStormMarkdown(result));
}
if (selected.includes('rack-power-on')) {
  const machines = option('machines');
  const result = await runRackPowerOn({
    logDir: resultsDir,
    say,
    machines: machines ? Number(machines) : undefined,
    spreadSeconds: option('spread') ? Number(option('spread')) : undefined,
  });
  results.rackPowerOn = { ranAt: new Date().toISOString(), ...result };
  sections.push(rackPowerOnMarkdown(result));
}
if (selected.includes('artifacts')) {
  const parallel = option('parallel');
  const result = await runArtifacts({
    logDir: resultsDir,
    say,
    fileMb: option('file-mb') ? Number(option('file-mb')) : undefined,
    parallel: parallel ? parallel.split(',').map(Number) : undefined,
  });
  results.artifacts = { ranAt: new Date().toISOString(), ...result };
  sections.push(artifactsMarkdown(result));
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
  // A run of some platforms keeps the saved figures of the others (each platform says when it ran).
  const ranAt = new Date().toISOString();
  const saved = (results.chatFanout as { platforms?: (PlatformFanout & { ranAt?: string })[] } | undefined)
    ?.platforms;
  const ran = result.map((r) => ({ ...r, ranAt }));
  const kept = (saved ?? []).filter((p) => !ran.some((r) => r.platform === p.platform));
  const platforms = [...ran, ...kept].sort((a, b) => a.platform.localeCompare(b.platform));
  results.chatFanout = { ranAt, quick, platforms };
  sections.push(chatFanoutMarkdown(result));
}
if (selected.includes('batch-fanout')) {
  const seconds = option('duration');
  const result = await runBatchShapes({
    logDir: resultsDir,
    say,
    durationMs: (seconds ? Number(seconds) : 120) * 1000,
    platforms: option('platforms')?.split(',') as ('discord' | 'slack')[] | undefined,
  });
  results.batchFanout = { ranAt: new Date().toISOString(), shapes: result };
  sections.push(batchFanoutMarkdown(result));
}
if (selected.length) await saveResults(resultsDir, results);
else {
  const boot = results.bootStorm as BootStormResult | undefined;
  const chat = results.chatFanout as { platforms: PlatformFanout[] } | undefined;
  if (boot) sections.push(bootStormMarkdown(boot));
  if (results.rackPowerOn) sections.push(rackPowerOnMarkdown(results.rackPowerOn as RackPowerOnResult));
  if (results.artifacts) sections.push(artifactsMarkdown(results.artifacts as ArtifactsResult));
  if (chat) sections.push(chatFanoutMarkdown(chat.platforms));
}
console.log(sections.join('\n\n'));
if (flags.has('--readme')) {
  await writeReadmeBlock(fileURLToPath(new URL('../README.md', import.meta.url)), readmeBlock(results));
  say('README.md: "Benchmark results" updated');
}

/** The README's generated block: the machine, then the latest result of each benchmark. */
function readmeBlock(r: typeof results): string {
  const m = r.machine as MachineInfo;
  const boot = r.bootStorm as (BootStormResult & { ranAt: string }) | undefined;
  const chat = r.chatFanout as { ranAt: string; quick: boolean; platforms: PlatformFanout[] } | undefined;
  const rack = r.rackPowerOn as (RackPowerOnResult & { ranAt: string }) | undefined;
  const files = r.artifacts as (ArtifactsResult & { ranAt: string }) | undefined;
  const batches = r.batchFanout as
    | { ranAt: string; shapes: Parameters<typeof batchFanoutMarkdown>[0] }
    | undefined;
  const ran = (what: string, at: string) => `${what} run ${at.slice(0, 16).replace('T', ' ')} UTC.`;
  return [
    `Machine: ${m.cpu}, ${m.cores} cores, ${m.memoryGb} GB, ${m.kernel}; Node ${m.node}, PostgreSQL ${m.postgres}, ` +
      `Redis ${m.redis}. Load generator, app, baseline, Postgres and Redis share these cores.`,
    ...(boot
      ? ['', `Boot storm run ${boot.ranAt.slice(0, 16).replace('T', ' ')} UTC.`, '', bootStormMarkdown(boot)]
      : []),
    ...(rack ? ['', ran('Rack power-on', rack.ranAt), '', rackPowerOnMarkdown(rack)] : []),
    ...(files ? ['', ran('Artifact delivery', files.ranAt), '', artifactsMarkdown(files)] : []),
    ...(batches ? ['', ran('Batch fan-out', batches.ranAt), '', batchFanoutMarkdown(batches.shapes)] : []),
    ...(chat
      ? [
          '',
          `Chat fan-out run ${chat.platforms
            .map(
              (p) =>
                `${p.platform} ${((p as { ranAt?: string }).ranAt ?? chat.ranAt).slice(0, 16).replace('T', ' ')}`,
            )
            .join(', ')} UTC${chat.quick ? ' (--quick)' : ''}.`,
          '',
          chatFanoutMarkdown(chat.platforms),
        ]
      : []),
  ].join('\n');
}

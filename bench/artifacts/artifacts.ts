import { randomBytes } from 'node:crypto';
import { chmod, mkdir, mkdtemp, open, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../support/child-process.js';
import { onCleanup } from '../support/cleanup.js';
import { createInstallation } from '../support/installation.js';
import { median, round } from '../support/stats.js';
import { type DownloadRound, downloadRound } from './downloads.js';
import { startNginx } from './nginx.js';

export interface ArtifactsOptions {
  /** Size of the served file, MB. @defaultValue 256 */
  fileMb?: number;
  /** Parallel download counts, each measured separately. @defaultValue [32, 128] */
  parallel?: number[];
  /** Alternated rounds per server and parallelism; the median is reported. @defaultValue 3 */
  rounds?: number;
  logDir: string;
  say(line: string): void;
}

export interface ArtifactsShape {
  parallel: number;
  nginx: { gbPerSecond: number; rounds: number[] };
  app: { gbPerSecond: number; rounds: number[] };
  /** app ÷ nginx, medians of the same run. */
  ratio: number;
  failures: number;
}

export interface ArtifactsResult {
  fileMb: number;
  shapes: ArtifactsShape[];
  /** The boot server's resident memory after start-up and its peak (VmHWM) over all rounds, MB. */
  app: { rssAfterStartMb: number; peakRssMb: number; growthMb: number };
  targets: { name: string; target: string; measured: string; met: boolean }[];
}

/**
 * Artifact delivery: `npm run boot-server`'s `/files/` against nginx (`sendfile on`) serving the same
 * folder, both on loopback, downloaded by curl processes. Rounds alternate between the two servers so
 * that whatever else the machine is doing weighs on both alike.
 */
export async function runArtifacts(opts: ArtifactsOptions): Promise<ArtifactsResult> {
  const fileMb = opts.fileMb ?? 256;
  const rounds = opts.rounds ?? 3;
  const dir = await mkdtemp(join(tmpdir(), 'octofleet-bench-artifacts-'));
  const removeDir = onCleanup(() => rm(dir, { recursive: true, force: true }));
  // nginx's workers drop to an unprivileged user; they must be able to read the file.
  await chmod(dir, 0o755);
  const root = join(dir, 'artifacts');
  const bytes = await writeFile(join(root, 'install.wim'), fileMb);
  const installation = await createInstallation({ ARTIFACTS_DIR: root });
  let nginx: { stop(): Promise<void> } | undefined;
  try {
    opts.say(`artifacts: ${fileMb} MB file; starting nginx and the boot server (npm run boot-server)`);
    const nginxPort = await freePort();
    nginx = await startNginx(root, nginxPort, join(dir, 'nginx'));
    const app = await installation.launch('boot-server', { logFile: join(opts.logDir, 'artifacts-app.log') });
    const rssAfterStartMb = (await app.rssMb()) ?? 0;
    const urls = {
      nginx: `http://127.0.0.1:${nginxPort}/install.wim`,
      app: `${installation.bootOrigin}/files/install.wim`,
    };
    // One download each first: the page cache holds the file for both from here on.
    for (const url of Object.values(urls)) await downloadRound(url, 1, bytes);
    const shapes: ArtifactsShape[] = [];
    for (const parallel of opts.parallel ?? [32, 128]) {
      const measured: Record<'nginx' | 'app', DownloadRound[]> = { nginx: [], app: [] };
      for (let i = 0; i < rounds; i++) {
        for (const server of ['nginx', 'app'] as const) {
          const round = await downloadRound(urls[server], parallel, bytes);
          measured[server].push(round);
          const failed = round.failures ? ` (${round.failures} failed, e.g. ${round.firstFailure})` : '';
          opts.say(
            `artifacts: ${server} ×${parallel} round ${i + 1}: ${round.gbPerSecond.toFixed(2)} GB/s${failed}`,
          );
        }
      }
      const figure = (r: DownloadRound[]) => ({
        gbPerSecond: round(median(r.map((x) => x.gbPerSecond)), 2),
        rounds: r.map((x) => round(x.gbPerSecond, 2)),
      });
      const nginxFigure = figure(measured.nginx);
      const appFigure = figure(measured.app);
      shapes.push({
        parallel,
        nginx: nginxFigure,
        app: appFigure,
        ratio: round(appFigure.gbPerSecond / nginxFigure.gbPerSecond, 2),
        failures: [...measured.nginx, ...measured.app].reduce((n, r) => n + r.failures, 0),
      });
    }
    const peakRssMb = (await app.peakRssMb()) ?? 0;
    await app.stop();
    const memory = {
      rssAfterStartMb: round(rssAfterStartMb),
      peakRssMb: round(peakRssMb),
      growthMb: round(peakRssMb - rssAfterStartMb),
    };
    return { fileMb, shapes, app: memory, targets: judge(shapes, memory.growthMb) };
  } finally {
    await nginx?.stop();
    await installation.dispose();
    await removeDir();
  }
}

function judge(shapes: ArtifactsShape[], growthMb: number): ArtifactsResult['targets'] {
  return [
    ...shapes.map((s) => ({
      name: `${s.parallel} parallel downloads vs nginx`,
      target: '≥ 0.9×',
      measured: `${s.ratio}× (${s.app.gbPerSecond} vs ${s.nginx.gbPerSecond} GB/s)`,
      met: s.ratio >= 0.9 && s.failures === 0,
    })),
    { name: 'boot server memory growth', target: '< 50 MB', measured: `${growthMb} MB`, met: growthMb < 50 },
  ];
}

/** Writes `mb` MB of incompressible bytes (one random MiB repeated) and returns the size. */
async function writeFile(path: string, mb: number): Promise<number> {
  await mkdir(join(path, '..'), { recursive: true });
  const block = randomBytes(1024 * 1024);
  const file = await open(path, 'w');
  try {
    for (let i = 0; i < mb; i++) await file.write(block);
  } finally {
    await file.close();
  }
  return mb * 1024 * 1024;
}

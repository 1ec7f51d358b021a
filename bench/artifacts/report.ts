import { table } from '../support/markdown.js';
import type { ArtifactsResult } from './artifacts.js';

/** The artifact benchmark as markdown: one row per parallelism, then the targets. */
export function artifactsMarkdown(r: ArtifactsResult): string {
  return [
    `### Artifact delivery (${r.fileMb} MB file, curl clients, loopback)`,
    '',
    table(
      [
        'downloads in parallel',
        'nginx GB/s',
        'boot server GB/s',
        'boot server ÷ nginx',
        'rounds (nginx / app)',
        'failed',
      ],
      r.shapes.map((s) => [
        s.parallel,
        s.nginx.gbPerSecond,
        s.app.gbPerSecond,
        `${s.ratio}×`,
        `${s.nginx.rounds.join(', ')} / ${s.app.rounds.join(', ')}`,
        s.failures,
      ]),
    ),
    '',
    `Boot server memory: ${r.app.rssAfterStartMb} MB after start, peak ${r.app.peakRssMb} MB (+${r.app.growthMb} MB).`,
    '',
    table(
      ['target', 'goal', 'measured', 'met'],
      r.targets.map((t) => [t.name, t.target, t.measured, t.met ? 'yes' : 'no']),
    ),
  ].join('\n');
}

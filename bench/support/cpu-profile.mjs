/**
 * Preloaded into the app under test by `--profile` (`NODE_OPTIONS=--import …`): Node refuses
 * `--cpu-prof` in NODE_OPTIONS, so the profiler is started through the inspector instead, and the
 * profile is written to BENCH_CPU_PROFILE_DIR when the process exits.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { join } from 'node:path';

const dir = process.env.BENCH_CPU_PROFILE_DIR;
if (dir) {
  mkdirSync(dir, { recursive: true });
  const session = new Session();
  session.connect();
  session.post('Profiler.enable', () => session.post('Profiler.start'));
  process.on('exit', () => {
    // The in-process inspector answers synchronously, so this completes before the process is gone.
    session.post('Profiler.stop', (error, result) => {
      if (!error) writeFileSync(join(dir, `app-${process.pid}.cpuprofile`), JSON.stringify(result.profile));
    });
  });
}

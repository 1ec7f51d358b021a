import { spawn } from 'node:child_process';

export interface DownloadRound {
  /** Aggregate throughput of all downloads, GB/s (10^9 bytes). */
  gbPerSecond: number;
  seconds: number;
  /** Downloads that did not end with 200 and the full size. */
  failures: number;
  /** What the first failed download got, e.g. `404, 0 bytes`. */
  firstFailure?: string;
}

/**
 * `parallel` simultaneous downloads of `url` by curl processes writing to /dev/null. curl, not this
 * process, is the client so that the load generator's cost is the same small C loop for nginx and for
 * the app (a Node client reading gigabytes per second would take a core of its own).
 */
export async function downloadRound(
  url: string,
  parallel: number,
  expectedBytes: number,
): Promise<DownloadRound> {
  const started = process.hrtime.bigint();
  const outcomes = await Promise.all(Array.from({ length: parallel }, () => curl(url)));
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const failed = outcomes.filter((o) => o.status !== 200 || o.bytes !== expectedBytes);
  return {
    gbPerSecond: (expectedBytes * parallel) / seconds / 1e9,
    seconds,
    failures: failed.length,
    firstFailure: failed[0] && `${failed[0].status}, ${failed[0].bytes} bytes`,
  };
}

function curl(url: string): Promise<{ status: number; bytes: number }> {
  return new Promise((resolve) => {
    const child = spawn('curl', ['-s', '-o', '/dev/null', '-w', '%{http_code} %{size_download}', url], {
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    let out = '';
    child.stdout.on('data', (chunk) => {
      out += chunk;
    });
    child.once('close', () => {
      const [status, bytes] = out.trim().split(' ').map(Number);
      resolve({ status: status ?? 0, bytes: bytes ?? 0 });
    });
  });
}

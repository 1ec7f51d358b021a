/**
 * Progress of long work (TFTP files copied, benchmark waves): a bar redrawn in place on a terminal,
 * plain lines through a pipe or into a log (one per tenth of the work, so a CI log stays short).
 */
export interface Progress {
  /** `done` units of `total` finished; `note` names the current item (a file name). */
  update(done: number, note?: string): void;
  /** Ends the bar (a terminal gets its final line and a newline). */
  finish(note?: string): void;
}

export interface ProgressOptions {
  label: string;
  total: number;
  /** @defaultValue process.stderr */
  stream?: NodeJS.WritableStream;
  /** Count shown as bytes (`1.2/4.0 GB`) rather than items. @defaultValue 'items' */
  unit?: 'items' | 'bytes';
  /** A terminal redraws at most this often. @defaultValue 100 ms */
  redrawMs?: number;
  now?: () => number;
}

const WIDTH = 24;

export function createProgress(opts: ProgressOptions): Progress {
  const stream = opts.stream ?? process.stderr;
  const tty = Boolean((stream as { isTTY?: boolean }).isTTY);
  const total = Math.max(0, opts.total);
  const now = opts.now ?? Date.now;
  const redrawMs = opts.redrawMs ?? 100;
  let lastDraw = Number.NEGATIVE_INFINITY;
  let lastTenth = -1;
  let finished = false;
  const count = (n: number) => (opts.unit === 'bytes' ? bytes(n) : String(n));
  const line = (done: number, note?: string) => {
    const ratio = total ? Math.min(1, done / total) : 1;
    const pct = `${Math.floor(ratio * 100)}%`.padStart(4);
    const tail = `${count(done)}/${count(total)}${note ? ` ${note}` : ''}`;
    if (!tty) return `${opts.label}: ${pct.trim()} (${tail})`;
    const filled = Math.round(ratio * WIDTH);
    return `${opts.label} [${'█'.repeat(filled)}${'░'.repeat(WIDTH - filled)}] ${pct} ${tail}`;
  };
  return {
    update(done, note) {
      if (finished) return;
      if (tty) {
        if (now() - lastDraw < redrawMs && done < total) return;
        lastDraw = now();
        stream.write(`\r\x1b[K${line(done, note)}`);
        return;
      }
      const tenth = total ? Math.floor((Math.min(done, total) / total) * 10) : 10;
      if (tenth === lastTenth) return;
      lastTenth = tenth;
      stream.write(`${line(done, note)}\n`);
    },
    finish(note) {
      if (finished) return;
      finished = true;
      if (tty) stream.write(`\r\x1b[K${line(total, note)}\n`);
      else if (lastTenth !== 10) stream.write(`${line(total, note)}\n`);
    },
  };
}

function bytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['KB', 'MB', 'GB', 'TB'];
  let value = n / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(1)} ${units[unit]}`;
}

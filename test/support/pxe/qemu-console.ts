// CSI (including private modes like OVMF's `ESC[=3h`), OSC, charset selection and two-byte escapes.
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching escape sequences is the point
const ESCAPES = /\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)?|[()][0-9A-Za-z]|[@-Z\\-_])/g;
// biome-ignore lint/suspicious/noControlCharactersInRegex: removing control characters is the point
const CONTROLS = /[\x00-\x07\x0b-\x1f\x7f]/g;

/**
 * Turns raw console output into plain text: removes escape sequences (firmware and iPXE draw with
 * them), applies backspaces (iPXE erases its "Press Ctrl-B" prompt with them) and drops `\r` and other
 * control characters but `\n` and `\t`.
 */
export function cleanConsole(raw: string) {
  const text = raw.replace(ESCAPES, '').replace(CONTROLS, '');
  if (!text.includes('\b')) return text;
  const kept: string[] = [];
  for (const char of text) {
    if (char === '\b') kept.pop();
    else kept.push(char);
  }
  return kept.join('');
}

interface Waiter {
  pattern: RegExp;
  resolve: (match: RegExpMatchArray) => void;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout;
}

/** Accumulates a VM's console, hands out complete lines and resolves waiters on a pattern. */
export class ConsoleBuffer {
  #lines: string[] = [];
  // Raw, so an escape sequence split across two chunks is still removed whole.
  #partial = '';
  #closed = false;
  #waiters = new Set<Waiter>();

  constructor(private readonly onLine?: (line: string) => void) {}

  /** Adds raw console output. */
  push(raw: string) {
    const pieces = (this.#partial + raw).split('\n');
    this.#partial = pieces.pop() ?? '';
    for (const piece of pieces) {
      const line = cleanConsole(piece);
      this.#lines.push(line);
      this.onLine?.(line);
    }
    this.#check();
  }

  /** Marks the end of output (the VM exited): pending waiters fail. */
  close() {
    if (this.#partial) this.push('\n');
    this.#closed = true;
    for (const waiter of this.#waiters) this.#fail(waiter, 'the VM exited before the console showed');
  }

  /** Everything seen so far. */
  text() {
    const done = this.#lines.join('\n');
    const partial = cleanConsole(this.#partial);
    return this.#lines.length > 0 ? `${done}\n${partial}` : partial;
  }

  /** See `QemuVm.waitForConsole`. */
  waitFor(pattern: RegExp, timeoutMs: number) {
    const match = this.text().match(pattern);
    if (match) return Promise.resolve(match);
    return new Promise<RegExpMatchArray>((resolve, reject) => {
      const waiter: Waiter = {
        pattern,
        resolve,
        reject,
        timer: setTimeout(() => this.#fail(waiter, `no console match within ${timeoutMs} ms for`), timeoutMs),
      };
      if (this.#closed) this.#fail(waiter, 'the VM exited before the console showed');
      else this.#waiters.add(waiter);
    });
  }

  #check() {
    if (this.#waiters.size === 0) return;
    const text = this.text();
    for (const waiter of this.#waiters) {
      const match = text.match(waiter.pattern);
      if (!match) continue;
      this.#waiters.delete(waiter);
      clearTimeout(waiter.timer);
      waiter.resolve(match);
    }
  }

  #fail(waiter: Waiter, why: string) {
    this.#waiters.delete(waiter);
    clearTimeout(waiter.timer);
    const tail = this.text().split('\n').slice(-25).join('\n');
    waiter.reject(new Error(`${why} ${waiter.pattern}; console tail:\n${tail}`));
  }
}

import { clearScreenDown, cursorTo, type Interface, moveCursor } from 'node:readline';

/**
 * The terminal as one screen shared by the shell chat, its `> ` prompt and whatever else prints (log
 * warnings, the start banner). Everything goes through {@link TerminalScreen.print}, which, while the
 * prompt is shown, clears the prompt and what was typed so far, prints, and draws both again below: a
 * line never lands in the middle of the prompt or of the operator's half-typed command.
 */
export interface TerminalScreen {
  /** Whether the chat's output is a terminal (a pipe gets plain lines, no prompt handling). */
  readonly isTTY: boolean;
  /** Prints whole lines above the prompt; `stream: 'err'` writes them to the error stream instead. */
  print(text: string, stream?: 'out' | 'err'): void;
  /** The shell adapter hands over its readline once it shows a prompt; null when it stops. */
  attachPrompt(rl: Interface | null): void;
  /** Tells whether the prompt is on screen now (it is not while a command is being handled). */
  setPromptVisible(visible: boolean): void;
  /** Wipes the prompt for good (the process is stopping): later lines print plainly. */
  releasePrompt(): void;
}

export interface TerminalScreenOptions {
  out: NodeJS.WritableStream;
  /** @defaultValue `out` */
  err?: NodeJS.WritableStream;
}

export function createTerminalScreen(opts: TerminalScreenOptions): TerminalScreen {
  const out = opts.out;
  const err = opts.err ?? out;
  const isTTY = Boolean((out as { isTTY?: boolean }).isTTY);
  let rl: Interface | null = null;
  let promptVisible = false;
  return {
    isTTY,
    print(text, stream = 'out') {
      const target = stream === 'err' ? err : out;
      const body = text.endsWith('\n') ? text : `${text}\n`;
      if (!isTTY || !rl || !promptVisible) {
        target.write(body);
        return;
      }
      // Back to where the prompt starts (it may wrap over several rows), wipe it, print, redraw.
      const rows = rl.getCursorPos().rows;
      if (rows > 0) moveCursor(out, 0, -rows);
      cursorTo(out, 0);
      clearScreenDown(out);
      target.write(body);
      // readline moves up by the rows of its last drawing before redrawing; the rows it remembers were
      // wiped above, so it must start from the fresh line (its field is not part of the typed API).
      const state = rl as unknown as { prevRows?: number };
      if (typeof state.prevRows === 'number') state.prevRows = 0;
      rl.prompt(true);
    },
    attachPrompt(next) {
      rl = next;
      if (!next) promptVisible = false;
    },
    setPromptVisible(visible) {
      promptVisible = visible;
    },
    releasePrompt() {
      if (isTTY && rl && promptVisible) {
        cursorTo(out, 0);
        clearScreenDown(out);
      }
      rl = null;
      promptVisible = false;
    },
  };
}

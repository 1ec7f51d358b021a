import { createRequire } from 'node:module';
import { availableParallelism, constants } from 'node:os';
import { fileURLToPath } from 'node:url';

/**
 * The sendfile addon (native/sendfile/): engine threads that copy file ranges to TCP sockets with
 * sendfile(2), so an artifact's bytes go from the page cache to the socket without being read into
 * JavaScript and written out again. It is built by `npm ci`; where it is missing (no compiler, not
 * Linux) {@link loadSendfileEngine} says why and the boot server uses its JavaScript path.
 */
export interface SendfileEngine {
  /**
   * Starts sending `length` bytes of `fileFd` from `offset` to `socketFd`. The engine works on its own
   * duplicates of both descriptors, so the caller may close the file at once, and a socket that Node
   * closes cannot be reused under the engine. Nothing else may write to the socket until it ends.
   */
  start(socketFd: number, fileFd: number, offset: number, length: number): SendfileTransfer;
}

export interface SendfileTransfer {
  /** Resolves when the transfer ended by itself: all bytes handed to the socket, or why not. */
  ended: Promise<{ error?: NodeJS.ErrnoException; sent: number }>;
  /**
   * Stops the transfer; when it returns, the engine has closed its descriptors (it waits for at most
   * one turn of the engine thread). True if this stopped it; false if it had ended already, in which
   * case `ended` resolves as usual.
   */
  cancel(): boolean;
}

const ENGINE = Symbol('octofleet sendfile engine');

interface Addon {
  [ENGINE]?: SendfileEngine;
  init(onEnd: (id: number, error: number, sent: number) => void, threads: number): void;
  start(id: number, socketFd: number, fileFd: number, offset: number, length: number): object;
  cancel(handle: object): boolean;
}

const ADDON_PATH = fileURLToPath(
  new URL('../native/sendfile/build/Release/octofleet_sendfile.node', import.meta.url),
);
/** The engine returns this instead of an errno when the file ended before the range did. */
const SHORT_FILE = -1;
const errnoNames = new Map(Object.entries(constants.errno).map(([name, code]) => [code, name]));

let loaded: { engine: SendfileEngine } | { unavailable: string } | undefined;

/** The process's engine (one per process: the threads are shared by every boot server in it). */
export function loadSendfileEngine(): { engine: SendfileEngine } | { unavailable: string } {
  loaded ??= load();
  return loaded;
}

function load(): { engine: SendfileEngine } | { unavailable: string } {
  if (process.platform !== 'linux') return { unavailable: `no sendfile to sockets on ${process.platform}` };
  let addon: Addon;
  try {
    addon = createRequire(import.meta.url)(ADDON_PATH) as Addon;
  } catch (error) {
    return { unavailable: `the addon is not built (${(error as Error).message.split('\n')[0]})` };
  }
  // Node loads an addon once per process while a test runner may evaluate this module more than once:
  // the engine lives on the addon's exports, started once.
  addon[ENGINE] ??= startEngine(addon);
  return { engine: addon[ENGINE] };
}

function startEngine(addon: Addon): SendfileEngine {
  const waiting = new Map<number, (end: { error?: NodeJS.ErrnoException; sent: number }) => void>();
  let nextId = 1;
  addon.init(
    (id, error, sent) => {
      const resolve = waiting.get(id);
      waiting.delete(id);
      resolve?.({ error: error === 0 ? undefined : transferError(error), sent });
    },
    // One per core up to two, as nginx's workers: on loopback the sending thread also runs the receiving
    // TCP stack, and one thread held the app at 0.95× nginx where two reached 1.25× (bench/README.md).
    Math.min(2, availableParallelism()),
  );
  return {
    start(socketFd, fileFd, offset, length) {
      const id = nextId++;
      const ended = new Promise<{ error?: NodeJS.ErrnoException; sent: number }>((resolve) => {
        waiting.set(id, resolve);
      });
      let handle: object;
      try {
        handle = addon.start(id, socketFd, fileFd, offset, length);
      } catch (error) {
        waiting.delete(id);
        throw error;
      }
      return {
        ended,
        cancel() {
          const stopped = addon.cancel(handle);
          if (stopped) waiting.delete(id);
          return stopped;
        },
      };
    },
  };
}

function transferError(code: number): NodeJS.ErrnoException {
  if (code === SHORT_FILE) return new Error('the file ended before the range did (shrunk while served?)');
  const name = errnoNames.get(code) ?? `errno ${code}`;
  return Object.assign(new Error(`sendfile: ${name}`), { code: name, errno: code, syscall: 'sendfile' });
}

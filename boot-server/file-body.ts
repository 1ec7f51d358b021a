import type { ServerResponse } from 'node:http';
import { createReadBudget } from './file-read-size.js';
import { sendfileRange, sendfileSocket } from './file-sendfile.js';
import { streamFileRange } from './file-stream.js';
import { loadSendfileEngine } from './sendfile-engine.js';

/** How `/files/` bodies are written: the step after `send` has settled status, headers and range. */
export interface FileBody {
  /** `sendfile` when the addon is loaded (plain TCP responses use it), `js` otherwise. */
  mode: 'sendfile' | 'js';
  /** Why the addon is not used, when it is not. */
  reason?: string;
  /** Writes bytes `start`…`end` (inclusive) of `path` as `res`'s body, then ends `res`. */
  write(res: ServerResponse, path: string, start: number, end: number): Promise<void>;
}

/**
 * The body writer of one boot server. With the sendfile addon the kernel copies the file to the socket
 * once (as nginx's `sendfile on` does); without it, or for a response it cannot take (TLS, a pipelined
 * response not on the socket yet), the file is read into two reused buffers and written out
 * ({@link streamFileRange}), which costs a second copy of every byte. `sendfile: false` forces the
 * JavaScript path (tests).
 */
export function createFileBody({ sendfile = true }: { sendfile?: boolean } = {}): FileBody {
  const budget = createReadBudget();
  const js = (res: ServerResponse, path: string, start: number, end: number) => {
    const share = budget.reserve();
    return streamFileRange(res, path, start, end, share.readSize).finally(share.release);
  };
  const loaded = sendfile ? loadSendfileEngine() : { unavailable: 'switched off (sendfile: false)' };
  if (!('engine' in loaded)) return { mode: 'js', reason: loaded.unavailable, write: js };
  const { engine } = loaded;
  return {
    mode: 'sendfile',
    write(res, path, start, end) {
      if (end < start) {
        res.end();
        return Promise.resolve();
      }
      if (sendfileSocket(res) === undefined) return js(res, path, start, end);
      return sendfileRange(engine, res, path, start, end, () => js(res, path, start, end));
    },
  };
}

import { open } from 'node:fs/promises';
import type { ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { SendfileEngine, SendfileTransfer } from './sendfile-engine.js';

const EMPTY = Buffer.alloc(0);

/**
 * The socket descriptor the sendfile engine can write `res`'s body to, or undefined where it cannot:
 * TLS (the bytes must be encrypted in this process), a pipelined response still waiting for the one
 * before it (not on the socket yet), or anything libuv does not hold as a plain descriptor.
 */
export function sendfileSocket(res: ServerResponse): number | undefined {
  const socket = res.socket as (Socket & { encrypted?: boolean; _httpMessage?: unknown }) | null;
  if (!socket || socket.destroyed || socket.encrypted || socket._httpMessage !== res) return undefined;
  const fd = (socket as unknown as { _handle?: { fd?: number } })._handle?.fd;
  return typeof fd === 'number' && fd >= 0 ? fd : undefined;
}

/**
 * Writes bytes `start`…`end` (inclusive) of the file at `path` as `res`'s body through the sendfile
 * engine, then ends `res` (or destroys it when the transfer failed). `res`'s headers are set but
 * not sent yet, and {@link sendfileSocket} found a descriptor for it.
 *
 * The engine writes to the socket behind Node's back, so Node must have nothing left to write when it
 * starts: the headers are flushed and the socket's queue (Node's and libuv's) is waited out first; if
 * anything is still queued after that, the body goes through `fallback` instead. While the engine
 * runs nothing here writes to `res`, and when the connection closes under it (client gone, timeout,
 * shutdown) the transfer is cancelled before this returns, which waits for the engine to let go.
 */
export async function sendfileRange(
  engine: SendfileEngine,
  res: ServerResponse,
  path: string,
  start: number,
  end: number,
  fallback: () => Promise<void>,
): Promise<void> {
  let closed = false;
  let cancel: (() => void) | undefined;
  const onClose = () => {
    closed = true;
    cancel?.();
  };
  res.once('close', onClose);
  try {
    const file = await open(path, 'r');
    let transfer: SendfileTransfer | 'fallback' | undefined;
    try {
      transfer = await startTransfer(engine, res, file.fd, start, end, () => closed);
    } finally {
      // The engine works on its own duplicate of the descriptor.
      await file.close();
    }
    if (transfer === 'fallback') return await fallback();
    if (!transfer) return;
    const started = transfer;
    const stopped = new Promise<'closed'>((resolve) => {
      cancel = () => {
        if (started.cancel()) resolve('closed');
      };
      if (closed) cancel();
    });
    const outcome = await Promise.race([started.ended, stopped]);
    if (outcome === 'closed') return;
    if (outcome.error) res.destroy(outcome.error);
    else res.end();
  } catch (error) {
    res.destroy(error as Error);
  } finally {
    res.off('close', onClose);
  }
}

/** Sends the headers, waits until they are on the wire, then hands the body to the engine. */
async function startTransfer(
  engine: SendfileEngine,
  res: ServerResponse,
  fileFd: number,
  start: number,
  end: number,
  closed: () => boolean,
): Promise<SendfileTransfer | 'fallback' | undefined> {
  if (closed() || !res.socket) return undefined;
  res.flushHeaders();
  if (!(await written(res.socket)) || closed()) return undefined;
  const socket = res.socket as (Socket & WithHandle) | null;
  if (!socket || socket.destroyed) return undefined; // closing: nothing left to send to
  const fd = sendfileSocket(res);
  // Nothing may be queued: the engine's bytes would overtake it.
  if (fd === undefined || socket.writableLength !== 0 || socket._handle?.writeQueueSize !== 0)
    return 'fallback';
  return engine.start(fd, fileFd, start, end - start + 1);
}

type WithHandle = { _handle?: { writeQueueSize?: number } };

/** Resolves true once everything written to `socket` so far has been handed to the kernel. */
function written(socket: Socket): Promise<boolean> {
  return new Promise((resolve) => {
    if (socket.destroyed) return resolve(false);
    // Writes complete in order: the callback of an empty write runs once those before it are done.
    socket.write(EMPTY, (error) => resolve(!error));
  });
}

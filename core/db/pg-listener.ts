import pg from 'pg';

/**
 * A Postgres LISTEN connection that stays up: one dedicated client, re-opened with back-off when it drops.
 * Notifications sent while it was down are lost, so `onListening` runs after every (re)connect and the
 * owner treats it as "anything may have changed".
 */
export interface PgListener {
  /** True while the LISTEN is in place (notifications arrive). */
  listening(): boolean;
  /** Resolves when the LISTEN is first in place, or after `timeoutMs` (the connection keeps trying). */
  listeningWithin(timeoutMs: number): Promise<boolean>;
  close(): Promise<void>;
}

export interface PgListenerOptions {
  onNotification(payload: string): void;
  /** After the first connect and every reconnect. */
  onListening?(): void;
  /** A dropped or refused connection (it is retried). */
  onError?(error: Error): void;
  /** @defaultValue 30 000 ms: the longest wait between reconnects (it doubles from 500 ms). */
  maxBackoffMs?: number;
}

export function listenToChannel(databaseUrl: string, channel: string, opts: PgListenerOptions): PgListener {
  if (!/^[a-z_][a-z0-9_]*$/.test(channel)) throw new Error(`invalid channel name "${channel}"`);
  let client: pg.Client | null = null;
  let up = false;
  let closed = false;
  let backoff = 500;
  let retry: NodeJS.Timeout | undefined;
  let firstListen: () => void = () => {};
  const listened = new Promise<void>((resolve) => {
    firstListen = resolve;
  });

  /** Forgets the current client and ends it; its late errors and events are ignored. */
  const detach = async (): Promise<void> => {
    up = false;
    const old = client;
    client = null;
    old?.removeAllListeners();
    old?.on('error', () => {});
    await old?.end().catch(() => {});
  };
  const drop = (error?: Error) => {
    if (error) opts.onError?.(error);
    void detach();
    if (closed) return;
    retry = setTimeout(connect, backoff);
    backoff = Math.min(backoff * 2, opts.maxBackoffMs ?? 30_000);
  };
  const connect = async () => {
    if (closed) return;
    const next = new pg.Client({ connectionString: databaseUrl, connectionTimeoutMillis: 5000 });
    client = next;
    next.on('notification', (message) => {
      if (message.channel === channel) opts.onNotification(message.payload ?? '');
    });
    next.on('error', (error) => drop(error));
    next.on('end', () => {
      if (client === next) drop(new Error('the LISTEN connection closed'));
    });
    try {
      await next.connect();
      await next.query(`listen ${channel}`);
      if (closed || client !== next) return;
      up = true;
      backoff = 500;
      firstListen();
      opts.onListening?.();
    } catch (error) {
      if (client === next) drop(error as Error);
    }
  };
  void connect();

  return {
    listening: () => up,
    async listeningWithin(timeoutMs) {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<void>((resolve) => {
        timer = setTimeout(resolve, timeoutMs);
      });
      await Promise.race([listened, timeout]);
      clearTimeout(timer);
      return up;
    },
    async close() {
      closed = true;
      clearTimeout(retry);
      await detach();
    },
  };
}

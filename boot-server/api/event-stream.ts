import type Router from '@koa/router';
import type { EventFeed, FeedItem } from '../../core/deployments/event-feed.js';

export interface EventStreamOptions {
  /** Comment line sent when nothing else was, so proxies and browsers keep the stream. @defaultValue 15000 */
  heartbeatMs?: number;
  /**
   * Bytes queued for a client that does not read before it is cut off; it reconnects and resumes with
   * Last-Event-ID, so a stalled browser costs the server at most this much. @defaultValue 1 MiB
   */
  maxBufferedBytes?: number;
}

/** The data of one `deployment` message: the event and its deployment's state after it. */
function message(item: FeedItem): string {
  const data = JSON.stringify({
    id: Number(item.id),
    deploymentId: item.deploymentId,
    stage: item.stage,
    message: item.message,
    progress: item.progress,
    source: item.source,
    state: item.state,
    receivedAt: item.receivedAt,
    deployment: item.deployment,
  });
  return `id: ${item.id}\nevent: deployment\ndata: ${data}\n\n`;
}

/**
 * `GET /api/v1/events/stream`: server-sent events, one `deployment` message per deployment event of any
 * process (see {@link EventFeed}). A reconnecting client sends `Last-Event-ID` (browsers do by
 * themselves) or `?lastEventId=`; missed events are replayed, or a `reset` message asks it to reload
 * when too many were missed. Auth is the admin listener's: bearer or dashboard session.
 */
export function eventStreamApi(router: Router, feed: EventFeed, opts: EventStreamOptions = {}): void {
  const heartbeatMs = opts.heartbeatMs ?? 15_000;
  const maxBuffered = opts.maxBufferedBytes ?? 1024 * 1024;

  router.get('/api/v1/events/stream', async (ctx) => {
    const resume =
      ctx.get('last-event-id') || (typeof ctx.query.lastEventId === 'string' ? ctx.query.lastEventId : '');
    const res = ctx.res;
    ctx.req.socket.setTimeout(0);
    ctx.req.socket.setNoDelay(true);
    ctx.respond = false;
    res.writeHead(200, {
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-store, no-transform',
      Connection: 'keep-alive',
      // nginx would otherwise hold events in its buffer.
      'X-Accel-Buffering': 'no',
    });
    let done = false;
    let subscription: { unsubscribe(): void } | null = null;
    const finish = () => {
      if (done) return;
      done = true;
      clearInterval(heartbeat);
      subscription?.unsubscribe();
      res.end();
    };
    const write = (chunk: string) => {
      if (done) return;
      res.write(chunk);
      if (res.writableLength > maxBuffered) finish();
    };
    const heartbeat = setInterval(() => write(': heartbeat\n\n'), heartbeatMs);
    res.once('close', finish);
    write('retry: 2000\n\n');

    let answer: Awaited<ReturnType<EventFeed['subscribe']>>;
    try {
      answer = await feed.subscribe(/^\d{1,19}$/.test(resume) ? resume : null, {
        deliver: (items) => write(items.map(message).join('')),
        closed: finish,
      });
    } catch (error) {
      // Headers are out: end the stream; the browser retries and resumes.
      ctx.app.emit('error', error, ctx);
      finish();
      return;
    }
    if ('tooFarBehind' in answer) {
      write('event: reset\ndata: {}\n\n');
      finish();
      return;
    }
    subscription = answer;
    if (done) subscription.unsubscribe(); // closed while subscribing
    await new Promise<void>((resolve) => {
      if (done) resolve();
      else res.once('close', () => resolve());
    });
  });
}

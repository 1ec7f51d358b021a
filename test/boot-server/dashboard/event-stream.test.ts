import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCore } from '../../../core/create-core.js';
import { announceChanges } from '../../../core/deployments/change-announcements.js';
import { createLogger } from '../../../core/logger.js';
import { testConfig } from '../../support/test-database.js';
import { until } from '../../support/until.js';
import {
  startTestBootServer,
  TEST_API_TOKEN,
  type TestBootServer,
  TINY_IMAGE,
} from '../helpers/boot-server-fixture.js';
import { signIn } from './sign-in.js';

let t: TestBootServer;

beforeAll(async () => {
  // The safety-net poll is pushed out of reach: what arrives here came through notifications.
  t = await startTestBootServer(
    {},
    { dashboard: { stream: { heartbeatMs: 200 }, feed: { pollMs: 600_000, maxBackfill: 4 } } },
  );
  await t.core.deployments.images().create(TINY_IMAGE);
});
afterAll(() => t?.close());

interface Message {
  id: string | null;
  event: string;
  data: string;
}

/** An open SSE stream read as a browser would, message by message. */
async function openStream(headers: Record<string, string>, query = '') {
  const abort = new AbortController();
  const res = await fetch(`${t.api}/api/v1/events/stream${query}`, { headers, signal: abort.signal });
  const messages: Message[] = [];
  let raw = '';
  const reading = (async () => {
    const decoder = new TextDecoder();
    try {
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
        raw += decoder.decode(chunk, { stream: true });
        let end = raw.indexOf('\n\n');
        while (end >= 0) {
          const block = raw.slice(0, end);
          raw = raw.slice(end + 2);
          const field = (name: string) =>
            block
              .split('\n')
              .find((l) => l.startsWith(`${name}:`))
              ?.slice(name.length + 1)
              .trim() ?? null;
          messages.push({
            id: field('id'),
            event: field('event') ?? (block.startsWith(':') ? 'comment' : 'message'),
            data: field('data') ?? block,
          });
          end = raw.indexOf('\n\n');
        }
      }
    } catch {
      // aborted
    }
  })();
  return {
    res,
    messages,
    deployments: () =>
      messages.filter((m) => m.event === 'deployment').map((m) => ({ ...JSON.parse(m.data), sseId: m.id })),
    async close() {
      abort.abort();
      await reading;
    },
  };
}

const bearer = { authorization: `Bearer ${TEST_API_TOKEN}` };

async function request(mac: string, hostname: string): Promise<number> {
  const res = await t.apiFetch('/api/v1/deployments', {
    method: 'POST',
    json: { mac, os: 'tinylinux', hostname },
  });
  return ((await res.json()) as { id: number }).id;
}

/** Connections of this test's database that hold the dashboard's LISTEN. */
async function listenConnections(): Promise<number> {
  const admin = new pg.Client({ connectionString: t.core.config.DATABASE_URL });
  await admin.connect();
  try {
    const { rows } = await admin.query(
      `select count(*)::int as n from pg_stat_activity where datname = current_database() and query = 'listen octofleet_deployment_changed'`,
    );
    return rows[0].n;
  } finally {
    await admin.end();
  }
}

describe('GET /api/v1/events/stream', () => {
  it('refuses a caller without a token or session', async () => {
    const res = await fetch(`${t.api}/api/v1/events/stream`);
    expect(res.status).toBe(401);
  });

  it('streams every deployment event with its id, and heartbeats', async () => {
    const stream = await openStream(bearer);
    expect(stream.res.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    await until(() => listenConnections().then((n) => n === 1), 'the dashboard listens');
    const id = await request('52:54:00:00:e5:01', 'stream01');
    await until(() => stream.deployments().length >= 1, 'events arrived', 5000);
    expect(stream.deployments()[0]).toMatchObject({
      deploymentId: id,
      stage: 'requested',
      state: 'pending_approval',
      deployment: { id, status: 'pending_approval', hostname: 'stream01', mac: '52:54:00:00:e5:01' },
    });
    // The SSE id is the event's id: what Last-Event-ID resumes from.
    expect(stream.deployments()[0].sseId).toBe(String(stream.deployments()[0].id));
    await until(
      () => stream.messages.some((m) => m.event === 'comment' && m.data.includes('heartbeat')),
      'a heartbeat',
      5000,
    );
    await stream.close();
    // Closing the last stream removes its subscriber and with it the LISTEN connection.
    await until(() => listenConnections().then((n) => n === 0), 'the LISTEN connection is closed');
  });

  it('works with a session cookie too', async () => {
    const s = await signIn(t.api, 'alice');
    const stream = await openStream({ cookie: s.cookie }, '?lastEventId=0');
    await until(() => stream.deployments().length >= 1, 'events arrived', 5000);
    await stream.close();
  });

  it('resumes after Last-Event-ID with what was missed, then goes on live', async () => {
    const first = await request('52:54:00:00:e5:02', 'stream02');
    const all = await (await t.apiFetch(`/api/v1/deployments/${first}`)).json();
    const resumeAfter = String(all.events[0].id);
    await t.apiFetch(`/api/v1/deployments/${first}/approve`, { method: 'POST', json: {} });
    await t.apiFetch(`/api/v1/deployments/${first}/cancel`, { method: 'POST', json: {} });
    const stream = await openStream({ ...bearer, 'last-event-id': resumeAfter });
    await until(() => stream.deployments().length >= 2, 'events arrived', 5000);
    expect(stream.deployments().map((e) => [e.deploymentId, e.stage])).toEqual([
      [first, 'approved'],
      [first, 'cancelled'],
    ]);
    const second = await request('52:54:00:00:e5:03', 'stream03');
    await until(() => stream.deployments().length >= 3, 'events arrived', 5000);
    expect(stream.deployments()[2]).toMatchObject({ deploymentId: second, stage: 'requested' });
    await stream.close();
  });

  it('asks a client that missed too much to reload instead of replaying it all', async () => {
    const stream = await openStream({ ...bearer, 'last-event-id': '0' });
    await until(() => stream.messages.some((m) => m.event === 'reset'), 'a reset message', 5000);
    expect(stream.deployments()).toEqual([]);
    await stream.close();
  });

  it('hears changes another process announced on Postgres', async () => {
    const stream = await openStream(bearer);
    await until(() => listenConnections().then((n) => n === 1), 'the dashboard listens');
    // A second boot server (its own core, no dashboard) on the same database.
    const other = await createCore(
      testConfig({ DATABASE_URL: t.core.config.DATABASE_URL, API_TOKEN: TEST_API_TOKEN }),
      createLogger({ level: 'silent' }),
      { migrate: false },
    );
    const announcer = announceChanges(other);
    try {
      const { deployment } = await other.deployments.request(
        { mac: '52:54:00:00:e5:04', os: 'tinylinux', hostname: 'elsewhere' },
        { platform: 'api', id: 'api-request', name: 'api' },
      );
      await until(
        () => stream.deployments().some((e) => e.deploymentId === deployment.id),
        'the announced change arrived',
        5000,
      );
    } finally {
      announcer.close();
      await other.close();
      await stream.close();
    }
  });
});

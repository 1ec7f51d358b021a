import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { listenToChannel } from '../../../core/db/pg-listener.js';
import { until } from '../../support/until.js';

// The maintenance database is enough: LISTEN/NOTIFY needs no table, and a unique channel isolates the test.
const URL = process.env.TEST_DATABASE_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const admin = new pg.Pool({ connectionString: URL, max: 2 });
afterAll(() => admin.end());

describe('Postgres LISTEN connection', () => {
  it('comes back after its connection is killed, says so, and hears notifications again', async () => {
    const channel = `octofleet_test_${randomBytes(4).toString('hex')}`;
    const heard: string[] = [];
    let connects = 0;
    const errors: string[] = [];
    const listener = listenToChannel(URL, channel, {
      onNotification: (payload) => heard.push(payload),
      onListening: () => connects++,
      onError: (error) => errors.push(error.message),
      maxBackoffMs: 200,
    });
    try {
      expect(await listener.listeningWithin(10_000)).toBe(true);
      await admin.query('select pg_notify($1, $2)', [channel, 'first']);
      await until(() => heard.includes('first'), 'the first notification arrives');

      await admin.query(
        'select pg_terminate_backend(pid) from pg_stat_activity where query = $1 and pid <> pg_backend_pid()',
        [`listen ${channel}`],
      );
      await until(() => !listener.listening(), 'it notices the lost connection');
      expect(errors.length).toBeGreaterThan(0);
      await until(() => listener.listening() && connects === 2, 'it listens again');
      await admin.query('select pg_notify($1, $2)', [channel, 'second']);
      await until(() => heard.includes('second'), 'the next notification arrives');
    } finally {
      await listener.close();
    }
    expect(listener.listening()).toBe(false);
  });

  it('says when it could not listen in time, and keeps trying', async () => {
    // Nothing listens on port 1: every connection is refused at once.
    const errors: string[] = [];
    const listener = listenToChannel('postgres://postgres@127.0.0.1:1/postgres', 'octofleet_test_down', {
      onNotification: () => {},
      onError: (error) => errors.push(error.message),
    });
    try {
      expect(await listener.listeningWithin(300)).toBe(false);
      expect(errors.length).toBeGreaterThan(0);
    } finally {
      await listener.close();
    }
  });

  it('refuses a channel name that would have to be quoted', () => {
    expect(() => listenToChannel(URL, 'drop table; --', { onNotification: () => {} })).toThrow(
      /invalid channel name/,
    );
  });
});

import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BootServer, createBootServer } from '../../boot-server/create-boot-server.js';
import { type Core, createCore } from '../../core/create-core.js';
import { announceChanges, DEPLOYMENT_CHANGES_CHANNEL } from '../../core/deployments/change-announcements.js';
import { createLogger } from '../../core/logger.js';
import { listenForChanges } from '../../worker/change-listener.js';
import { createScheduler } from '../../worker/schedule.js';
import { until } from '../support/until.js';
import {
  cardOf,
  cardShows,
  deploy,
  type Harness,
  postCallback,
  settled,
  startHarness,
  threadShows,
} from './support/harness.js';

// The harness is the bot + worker process; `bootCore` is a boot server's own process on the same
// database, as `npm run boot-server` runs it: it announces its changes instead of publishing them.
let h: Harness;
let bootCore: Core;
let server: BootServer;
let boot: string;
let admin: pg.Pool;

beforeAll(async () => {
  h = await startHarness({ BOOT_HOST: '127.0.0.1', BOOT_PORT: '0', API_PORT: '0' });
  // Two workers hear every announcement; each change must still reach chat once.
  await h.addWorker();
  bootCore = await createCore(h.core.config, createLogger({ level: 'silent' }));
  announceChanges(bootCore);
  server = createBootServer(bootCore);
  boot = `http://127.0.0.1:${(await server.start()).bootPort}`;
  admin = new pg.Pool({ connectionString: h.core.config.DATABASE_URL, max: 1 });
});
afterAll(async () => {
  await admin?.end();
  await server?.stop();
  await bootCore?.close();
  await h?.close();
});

describe('changes a boot server announces on Postgres', () => {
  it('reach the thread and the card through the workers, each stage once', async () => {
    const id = await deploy(h, 'alice', 'os:ubuntu2404 mac:52-54-00-aa-00-01 hostname:srv41');
    await h.platform.react('bob', await cardOf(h, id), 'approve');
    await threadShows(h, id, /Approved by bob/);

    expect((await fetch(`${boot}/ipxe/52-54-00-aa-00-01?platform=pcbios&arch=x86_64`)).status).toBe(200);
    await threadShows(h, id, /Booting — BIOS/);
    const url = `${boot}/cb/${h.core.deployments.tokenFor(await h.core.deployments.repository().get(id))}`;
    for (const status of ['installer', 'late_command', 'first_boot', 'done'])
      expect((await postCallback(url, { status })).status).toBe(200);
    await cardShows(h, id, 'done');
    await threadShows(h, id, /Done in/);
    await settled(h);
    expect(h.platform.threadLines(id)).toEqual([
      expect.stringMatching(/^👍 Approved by bob\./),
      '🟢 Booting — BIOS, bare metal detected (no rule matched)',
      '⚙️ Installer',
      '📋 Installation finished',
      '🚀 First boot',
      expect.stringMatching(/^✅ Done in \d+s — srv41/),
      expect.stringMatching(/^⏱ approval/),
    ]);

    // The booting watchdog the worker set from the announcement was removed when the state moved on.
    const timers = await h.queues.watchdog.getJobs(['delayed', 'waiting']);
    expect(timers.filter((j) => j.data.deploymentId === id)).toEqual([]);
  });

  it('ignores a notification that is not a change, and publishes the next one', async () => {
    const id = await deploy(h, 'alice', 'os:ubuntu2404 mac:52-54-00-aa-00-02');
    await cardOf(h, id);
    await settled(h);
    const before = h.platform.calls.filter((c) => c.deploymentId === id).length;
    for (const junk of [
      'not json',
      '{"deploymentId":-1,"state":"done","kind":"state"}',
      '{"deploymentId":1}',
    ])
      await admin.query('select pg_notify($1, $2)', [DEPLOYMENT_CHANGES_CHANNEL, junk]);
    // A cancel recorded by the boot server's process (the admin API) is announced like any change.
    await bootCore.deployments.cancel(id, { platform: 'api', id: 'api', name: 'API' }, { approver: true });
    await cardShows(h, id, 'cancelled');
    expect(h.platform.calls.filter((c) => c.deploymentId === id).length).toBeGreaterThan(before);
  });
});

describe('the worker listening for changes', () => {
  it('catches up from Postgres every time its LISTEN connection is back, since what was sent meanwhile is lost', async () => {
    let caughtUp = 0;
    const listener = listenForChanges(h.core, createScheduler(h.queues, h.core.config), {
      onListening: async () => {
        caughtUp++;
      },
    });
    try {
      await until(() => listener.listening() && caughtUp === 1, 'it listens');
      await admin.query(
        `select pg_terminate_backend(pid) from pg_stat_activity
          where query = $1 and datname = current_database() and pid <> pg_backend_pid()`,
        [`listen ${DEPLOYMENT_CHANGES_CHANNEL}`],
      );
      await until(() => listener.listening() && caughtUp >= 2, 'it listens again and catches up');
    } finally {
      await listener.close();
    }
  });
});

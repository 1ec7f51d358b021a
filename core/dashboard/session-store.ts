import { createHash, randomBytes } from 'node:crypto';
import type { Orm } from '../db/orm.js';
import { DashboardSession } from './dashboard-session.entity.js';

/** A session as the admin listener sees it once the cookie checked out. */
export interface ActiveSession {
  id: string;
  csrfToken: string;
  actorName: string;
  expiresAt: Date;
}

/** Dashboard sessions in Postgres: created at sign-in, looked up per request, deleted at sign-out. */
export interface SessionStore {
  /** Starts a session; answers the cookie value (shown once, never stored) and the session. */
  create(opts: { actorName: string; apiToken: string | undefined; ttlMs: number }): Promise<{
    cookie: string;
    session: ActiveSession;
  }>;
  /** The live session a cookie value belongs to, or null (unknown, expired, or signed in with an old token). */
  find(cookie: string, apiToken: string | undefined): Promise<ActiveSession | null>;
  /** Ends a session (no-op when already gone). */
  end(cookie: string): Promise<void>;
}

const hash = (value: string) => createHash('sha256').update(value).digest('hex');

/** What identifies the API token a session was opened with, without storing the token or a bare hash of it. */
function fingerprint(apiToken: string | undefined): string {
  return hash(`octofleet-dashboard-session\0${apiToken ?? ''}`);
}

export function createSessionStore(orm: Orm, now: () => Date = () => new Date()): SessionStore {
  return {
    async create({ actorName, apiToken, ttlMs }) {
      const em = orm.em.fork();
      const at = now();
      // Sign-ins are rare: sweeping expired rows here keeps the table small without a timer.
      await em.nativeDelete(DashboardSession, { expiresAt: { $lt: at } });
      const cookie = randomBytes(32).toString('base64url');
      const row = em.create(DashboardSession, {
        id: hash(cookie),
        csrfToken: randomBytes(24).toString('base64url'),
        actorName,
        tokenFingerprint: fingerprint(apiToken),
        createdAt: at,
        expiresAt: new Date(at.getTime() + ttlMs),
      });
      await em.flush();
      return { cookie, session: pick(row) };
    },
    async find(cookie, apiToken) {
      if (!/^[A-Za-z0-9_-]{43}$/.test(cookie)) return null;
      const row = await orm.em
        .fork()
        .findOne(DashboardSession, { id: hash(cookie), expiresAt: { $gt: now() } });
      if (!row || row.tokenFingerprint !== fingerprint(apiToken)) return null;
      return pick(row);
    },
    async end(cookie) {
      await orm.em.fork().nativeDelete(DashboardSession, { id: hash(cookie) });
    },
  };
}

function pick(row: DashboardSession): ActiveSession {
  return { id: row.id, csrfToken: row.csrfToken, actorName: row.actorName, expiresAt: row.expiresAt };
}

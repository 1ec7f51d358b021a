import { EntitySchema } from '@mikro-orm/core';

/**
 * A signed-in dashboard browser. The cookie carries a random secret; only its SHA-256 is stored, so a
 * database dump cannot be replayed as a cookie. Rows live in Postgres so any boot server behind a load
 * balancer accepts the session, and logout ends it everywhere at once.
 */
export class DashboardSession {
  /** SHA-256 (hex) of the cookie's secret. */
  id!: string;
  /** Random token every state-changing request of this session must echo (form field or header). */
  csrfToken!: string;
  /** Who signed in, as decisions and chat name them (`alice`; `web` when no name was given). */
  actorName!: string;
  /** Fingerprint of the API token signed in with: rotating API_TOKEN ends every session. */
  tokenFingerprint!: string;
  createdAt!: Date;
  expiresAt!: Date;
}

export const DashboardSessionSchema = new EntitySchema<DashboardSession>({
  class: DashboardSession,
  tableName: 'dashboard_session',
  indexes: [{ name: 'dashboard_session_expires_idx', properties: ['expiresAt'] }],
  properties: {
    id: { type: 'string', length: 64, primary: true },
    csrfToken: { type: 'string', length: 64 },
    actorName: { type: 'string', length: 64 },
    tokenFingerprint: { type: 'string', length: 64 },
    createdAt: { type: 'Date', columnType: 'timestamptz', onCreate: () => new Date() },
    expiresAt: { type: 'Date', columnType: 'timestamptz' },
  },
});

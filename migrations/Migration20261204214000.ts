import { Migration } from '@mikro-orm/migrations';

/** Dashboard sign-ins: one row per browser session (the cookie's hash), removed at sign-out. */
export class Migration20261204214000 extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create table "dashboard_session" ("id" varchar(64) not null, "csrf_token" varchar(64) not null, "actor_name" varchar(64) not null, "token_fingerprint" varchar(64) not null, "created_at" timestamptz not null, "expires_at" timestamptz not null, constraint "dashboard_session_pkey" primary key ("id"));`,
    );
    this.addSql(`create index "dashboard_session_expires_idx" on "dashboard_session" ("expires_at");`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "dashboard_session" cascade;`);
  }
}

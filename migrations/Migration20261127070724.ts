import { Migration } from '@mikro-orm/migrations';

/** The first schema: deployments, their events and decisions, the catalog, systems, chat references. */
export class Migration20261127070724 extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create table "deployment" ("id" serial primary key, "mac" varchar(17) not null, "os" varchar(64) not null, "edition" varchar(64) null, "hostname" varchar(63) not null, "profile" varchar(32) not null default 'auto', "resolved_profile" varchar(32) null, "status" varchar(32) not null, "stage" varchar(64) null, "progress" int null, "failure_reason" text null, "requested_by" jsonb not null, "token_nonce" varchar(64) not null, "secrets" text null, "boot" jsonb null, "created_at" timestamptz not null, "updated_at" timestamptz not null, "expires_at" timestamptz not null, "approved_at" timestamptz null, "booting_at" timestamptz null, "installing_at" timestamptz null, "configuring_at" timestamptz null, "finished_at" timestamptz null, "last_event_at" timestamptz not null, constraint deployment_status_check check ("status" in ('pending_approval', 'approved', 'booting', 'installing', 'configuring', 'done', 'failed', 'rejected', 'expired', 'cancelled')), constraint deployment_progress_check check ("progress" between 0 and 100));`,
    );
    this.addSql(
      `create unique index "deployment_one_active_per_mac" on "deployment" ("mac") where "status" in ('pending_approval', 'approved', 'booting', 'installing', 'configuring');`,
    );
    this.addSql(`create index "deployment_status_idx" on "deployment" ("status");`);

    this.addSql(
      `create table "decision" ("id" serial primary key, "deployment_id" int not null, "verdict" varchar(16) not null, "accepted" boolean not null, "reason" text null, "actor_platform" varchar(16) not null, "actor_id" varchar(128) not null, "actor_name" varchar(256) not null, "decided_at" timestamptz not null);`,
    );
    this.addSql(`create index "decision_deployment_idx" on "decision" ("deployment_id");`);

    this.addSql(
      `create table "chat_ref" ("id" serial primary key, "deployment_id" int not null, "platform" varchar(16) not null, "channel_id" varchar(64) not null, "card_message_id" varchar(64) null, "thread_id" varchar(64) null, "created_at" timestamptz not null);`,
    );
    this.addSql(`create index "chat_ref_card_idx" on "chat_ref" ("platform", "card_message_id");`);
    this.addSql(
      `alter table "chat_ref" add constraint "chat_ref_deployment_platform_unique" unique ("deployment_id", "platform");`,
    );

    this.addSql(
      `create table "deployment_event" ("id" bigserial primary key, "deployment_id" int not null, "stage" varchar(64) not null, "message" text null, "progress" int null, "source" varchar(32) not null, "state" varchar(32) null, "received_at" timestamptz not null, "posted_at" timestamptz null);`,
    );
    this.addSql(
      `create index "deployment_event_deployment_idx" on "deployment_event" ("deployment_id", "id");`,
    );
    this.addSql(
      `create index "deployment_event_unposted_idx" on "deployment_event" ("deployment_id") where "posted_at" is null;`,
    );

    this.addSql(
      `create table "os_image" ("id" varchar(64) not null, "name" varchar(128) not null, "family" varchar(16) not null, "boot" jsonb not null, "templates" varchar(64) null, "editions" jsonb null, "default_edition" varchar(64) null, "source" varchar(16) not null default 'api', "created_at" timestamptz not null, "updated_at" timestamptz not null, constraint "os_image_pkey" primary key ("id"));`,
    );

    this.addSql(
      `create table "setting" ("key" varchar(64) not null, "value" text not null, constraint "setting_pkey" primary key ("key"));`,
    );

    this.addSql(
      `create table "system" ("id" serial primary key, "mac" varchar(17) not null, "hostname" varchar(63) not null, "os" varchar(64) not null, "edition" varchar(64) null, "manufacturer" varchar(128) null, "product" varchar(128) null, "serial" varchar(128) null, "uuid" varchar(64) null, "first_deployment_id" int not null, "last_deployment_id" int not null, "first_deployed_at" timestamptz not null, "last_deployed_at" timestamptz not null);`,
    );
    this.addSql(`alter table "system" add constraint "system_mac_unique" unique ("mac");`);

    this.addSql(
      `alter table "decision" add constraint "decision_deployment_id_foreign" foreign key ("deployment_id") references "deployment" ("id") on update cascade on delete cascade;`,
    );

    this.addSql(
      `alter table "chat_ref" add constraint "chat_ref_deployment_id_foreign" foreign key ("deployment_id") references "deployment" ("id") on update cascade on delete cascade;`,
    );

    this.addSql(
      `alter table "deployment_event" add constraint "deployment_event_deployment_id_foreign" foreign key ("deployment_id") references "deployment" ("id") on update cascade on delete cascade;`,
    );
  }

  override async down(): Promise<void> {
    for (const table of [
      'chat_ref',
      'decision',
      'deployment_event',
      'system',
      'os_image',
      'setting',
      'deployment',
    ]) {
      this.addSql(`drop table if exists "${table}" cascade;`);
    }
  }
}

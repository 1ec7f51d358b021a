import { Migration } from '@mikro-orm/migrations';

/**
 * Batches: several machines in one request. A batch table, each member deployment's `batch_id`, the
 * batch's chat card and thread, and batch-wide decisions (a decision row without a deployment).
 */
export class Migration20261204211000 extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create table "batch" ("id" serial primary key, "os" varchar(64) not null, "edition" varchar(64) null, "profile" varchar(32) not null default 'auto', "requested_by" jsonb not null, "size" int not null, "created_at" timestamptz not null, constraint batch_size_check check ("size" > 0));`,
    );

    this.addSql(`alter table "deployment" add column "batch_id" int null;`);
    this.addSql(
      `alter table "deployment" add constraint "deployment_batch_id_foreign" foreign key ("batch_id") references "batch" ("id") on update cascade on delete set null;`,
    );
    this.addSql(`create index "deployment_batch_idx" on "deployment" ("batch_id");`);

    this.addSql(
      `create table "batch_chat_ref" ("id" serial primary key, "batch_id" int not null, "platform" varchar(16) not null, "channel_id" varchar(64) not null, "card_message_id" varchar(64) null, "thread_id" varchar(64) null, "summary_posted_at" timestamptz null, "created_at" timestamptz not null);`,
    );
    this.addSql(
      `create index "batch_chat_ref_card_idx" on "batch_chat_ref" ("platform", "card_message_id");`,
    );
    this.addSql(
      `alter table "batch_chat_ref" add constraint "batch_chat_ref_batch_platform_unique" unique ("batch_id", "platform");`,
    );
    this.addSql(
      `alter table "batch_chat_ref" add constraint "batch_chat_ref_batch_id_foreign" foreign key ("batch_id") references "batch" ("id") on update cascade on delete cascade;`,
    );

    this.addSql(`alter table "decision" alter column "deployment_id" drop not null;`);
    this.addSql(`alter table "decision" add column "batch_id" int null;`);
    this.addSql(
      `alter table "decision" add constraint "decision_batch_id_foreign" foreign key ("batch_id") references "batch" ("id") on update cascade on delete cascade;`,
    );
    this.addSql(`create index "decision_batch_idx" on "decision" ("batch_id");`);
    this.addSql(
      `alter table "decision" add constraint decision_subject_check check ("deployment_id" is not null or "batch_id" is not null);`,
    );
  }

  override async down(): Promise<void> {
    // Batch-wide decisions have no deployment: they go with the batches.
    this.addSql(`delete from "decision" where "deployment_id" is null;`);
    this.addSql(`alter table "decision" drop constraint if exists decision_subject_check;`);
    this.addSql(`drop index if exists "decision_batch_idx";`);
    this.addSql(`alter table "decision" drop constraint if exists "decision_batch_id_foreign";`);
    this.addSql(`alter table "decision" drop column if exists "batch_id";`);
    this.addSql(`alter table "decision" alter column "deployment_id" set not null;`);
    this.addSql(`drop index if exists "deployment_batch_idx";`);
    this.addSql(`alter table "deployment" drop constraint if exists "deployment_batch_id_foreign";`);
    this.addSql(`alter table "deployment" drop column if exists "batch_id";`);
    this.addSql(`drop table if exists "batch_chat_ref" cascade;`);
    this.addSql(`drop table if exists "batch" cascade;`);
  }
}

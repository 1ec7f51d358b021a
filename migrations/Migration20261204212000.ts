import { Migration } from '@mikro-orm/migrations';

/**
 * Templates and hardware profiles as data: operators' template versions, which one is in use, the
 * profiles `auto` walks, and the template versions each deployment was rendered with.
 */
export class Migration20261204212000 extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create table "template" ("name" varchar(200) not null, "active_version" int null, "updated_at" timestamptz not null, constraint "template_pkey" primary key ("name"));`,
    );
    this.addSql(
      `create table "template_version" ("id" serial primary key, "name" varchar(200) not null, "version" int not null, "content" text not null, "created_by" varchar(128) not null, "restored_from" int null, "created_at" timestamptz not null);`,
    );
    this.addSql(
      `alter table "template_version" add constraint "template_version_name_version_unique" unique ("name", "version");`,
    );
    this.addSql(
      `create table "hardware_profile" ("name" varchar(32) not null, "priority" int not null default 100, "match" jsonb not null, "windows_drivers" varchar(32) null, "kernel_args" varchar(512) not null default '', "serial_console" varchar(32) null, "source" varchar(16) not null default 'operator', "created_at" timestamptz not null, "updated_at" timestamptz not null, constraint "hardware_profile_pkey" primary key ("name"));`,
    );
    this.addSql(`alter table "deployment" add column "templates" jsonb null;`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "deployment" drop column if exists "templates";`);
    for (const table of ['hardware_profile', 'template_version', 'template']) {
      this.addSql(`drop table if exists "${table}" cascade;`);
    }
  }
}

import { Migration } from '@mikro-orm/migrations';

/**
 * Machines and power: the machine inventory (BMC settings, encrypted BMC secrets, tags), the state of
 * each approved deployment's power sequence, the audit of power requests, and systems linked to their
 * machine.
 */
export class Migration20261204210000 extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create table "machine" ("id" serial primary key, "name" varchar(63) not null, "mac" varchar(17) not null, "bmc" jsonb null, "bmc_secrets" text null, "boot_mode" varchar(8) not null default 'uefi', "profile" varchar(32) not null default 'auto', "tags" text[] not null default '{}', "created_at" timestamptz not null, "updated_at" timestamptz not null);`,
    );
    this.addSql(`alter table "machine" add constraint "machine_name_unique" unique ("name");`);
    this.addSql(`alter table "machine" add constraint "machine_mac_unique" unique ("mac");`);
    this.addSql(`create index "machine_tags_idx" on "machine" using gin ("tags");`);

    this.addSql(
      `create table "power_action" ("id" serial primary key, "machine_name" varchar(63) not null, "action" varchar(16) not null, "accepted" boolean not null, "result" text null, "actor_platform" varchar(16) not null, "actor_id" varchar(128) not null, "actor_name" varchar(256) not null, "requested_at" timestamptz not null);`,
    );
    this.addSql(`create index "power_action_machine_idx" on "power_action" ("machine_name");`);

    this.addSql(
      `create table "power_run" ("deployment_id" int not null, "machine_name" varchar(63) not null, "step" varchar(16) not null, "power_before" varchar(16) null, "error" text null, "created_at" timestamptz not null, "updated_at" timestamptz not null, constraint "power_run_pkey" primary key ("deployment_id"));`,
    );
    this.addSql(
      `alter table "power_run" add constraint "power_run_deployment_id_foreign" foreign key ("deployment_id") references "deployment" ("id") on update cascade on delete cascade;`,
    );

    this.addSql(`alter table "system" add column "machine_id" int null;`);
    this.addSql(
      `alter table "system" add constraint "system_machine_id_foreign" foreign key ("machine_id") references "machine" ("id") on update cascade on delete set null;`,
    );
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "system" drop constraint if exists "system_machine_id_foreign";`);
    this.addSql(`alter table "system" drop column if exists "machine_id";`);
    for (const table of ['power_run', 'power_action', 'machine']) {
      this.addSql(`drop table if exists "${table}" cascade;`);
    }
  }
}

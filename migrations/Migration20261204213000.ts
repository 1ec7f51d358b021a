import { Migration } from '@mikro-orm/migrations';

/** Disk rules (core/disks/disk-rule.ts): per deployment, per machine and per OS image. */
export class Migration20261204213000 extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table "deployment" add column "disk" varchar(96) null;`);
    this.addSql(`alter table "os_image" add column "disk" varchar(96) null;`);
    this.addSql(`alter table "machine" add column "disk" varchar(96) null;`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "machine" drop column "disk";`);
    this.addSql(`alter table "deployment" drop column "disk";`);
    this.addSql(`alter table "os_image" drop column "disk";`);
  }
}

import { Migration } from '@mikro-orm/migrations';

/**
 * Boot failures and Secure Boot: how many times the install script was served since the installer last
 * reported (the boot-loop guard), the key of the last boot report (one report per network boot), and
 * whether the machine is known to keep Secure Boot on (asked for at request time).
 */
export class Migration20261204215000 extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `alter table "deployment" add column "install_serves" int not null default 0, add column "boot_report" varchar(128) null, add column "secure_boot" boolean null;`,
    );
  }

  override async down(): Promise<void> {
    this.addSql(
      `alter table "deployment" drop column "install_serves", drop column "boot_report", drop column "secure_boot";`,
    );
  }
}

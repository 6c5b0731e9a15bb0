import { Migration } from '@mikro-orm/migrations';

/**
 * Distinct devices per day become a counter of `app_stats_daily` (a device counts on a day when
 * its first sighting of that day is written), and `device_days`, one row per device and day,
 * goes: it cost every device request an insert, an index entry and a foreign-key check. The
 * device row keeps the previous sighting (`previous_seen_at`), which is how the writer tells a
 * first sighting of the day. Existing days keep their counts.
 */
export class Migration20261203120000_device_day_counts extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table "app_stats_daily" add column "devices" int not null default 0;`);
    this.addSql(`alter table "app_stats_daily" drop constraint app_stats_daily_counts_check;`);
    this.addSql(
      `alter table "app_stats_daily" add constraint app_stats_daily_counts_check check (devices >= 0 and update_checks >= 0 and updates_offered >= 0 and installs >= 0 and failures >= 0);`,
    );
    this.addSql(`alter table "devices" add column "previous_seen_at" timestamptz null;`);
    this.addSql(
      `insert into "app_stats_daily" ("app", "day", "devices")
       select "app", "day", count(*) from "device_days" group by "app", "day"
       on conflict ("app", "day") do update set "devices" = excluded."devices";`,
    );
    this.addSql(`drop table "device_days";`);
  }

  override async down(): Promise<void> {
    // The days' counts stay in app_stats_daily.devices until it is dropped; which devices they were is not kept.
    this.addSql(
      `create table "device_days" ("app" uuid not null, "day" date not null, "device_id" varchar(36) not null, constraint "device_days_pkey" primary key ("app", "day", "device_id"));`,
    );
    this.addSql(
      `alter table "device_days" add constraint "device_days_app_foreign" foreign key ("app") references "apps" ("id") on update cascade on delete cascade;`,
    );
    this.addSql(`alter table "devices" drop column "previous_seen_at";`);
    this.addSql(`alter table "app_stats_daily" drop constraint app_stats_daily_counts_check;`);
    this.addSql(
      `alter table "app_stats_daily" add constraint app_stats_daily_counts_check check (update_checks >= 0 and updates_offered >= 0 and installs >= 0 and failures >= 0);`,
    );
    this.addSql(`alter table "app_stats_daily" drop column "devices";`);
  }
}

import { Migration } from '@mikro-orm/migrations';

/**
 * Devices and device events lose their foreign key to `apps`: it looked up and locked the app for
 * every row the telemetry writer inserts. The writer now locks each app of a batch once
 * (`for key share`, the lock the foreign key took, skipping an app being deleted), and this trigger
 * deletes an app's devices and events when the app goes, as `on delete cascade` did (an org's
 * deletion cascades to its apps, so it fires then too). A deletion waits for a batch holding its app,
 * and a batch leaves out an app being deleted, so neither order leaves a device or an event without
 * its app.
 */
export class Migration20261203171116_telemetry_app_trigger extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table "device_events" drop constraint "device_events_app_foreign";`);
    this.addSql(`alter table "devices" drop constraint "devices_app_foreign";`);
    this.addSql(
      `create function "delete_app_telemetry"() returns trigger language plpgsql as $$
       begin
         delete from "devices" where "app" = old."id";
         delete from "device_events" where "app" = old."id";
         return old;
       end $$;`,
    );
    this.addSql(
      `create trigger "apps_delete_telemetry" after delete on "apps" for each row execute function "delete_app_telemetry"();`,
    );
  }

  override async down(): Promise<void> {
    this.addSql(`drop trigger "apps_delete_telemetry" on "apps";`);
    this.addSql(`drop function "delete_app_telemetry"();`);
    // The trigger leaves no such rows; a foreign key cannot be added over one.
    this.addSql(`delete from "device_events" e where not exists (select 1 from "apps" a where a."id" = e."app");`);
    this.addSql(`delete from "devices" d where not exists (select 1 from "apps" a where a."id" = d."app");`);
    this.addSql(
      `alter table "device_events" add constraint "device_events_app_foreign" foreign key ("app") references "apps" ("id") on update cascade on delete cascade;`,
    );
    this.addSql(
      `alter table "devices" add constraint "devices_app_foreign" foreign key ("app") references "apps" ("id") on update cascade on delete cascade;`,
    );
  }
}

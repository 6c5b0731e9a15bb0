import { Migration } from '@mikro-orm/migrations';

/** Users, organizations, memberships, API keys and apps. Plain SQL that PostgreSQL 15 to 18 accept. */
export class Migration20261129000000_initial extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      create table "users" (
        "id" uuid primary key,
        "email" varchar(320) not null,
        "created_at" timestamptz not null,
        "updated_at" timestamptz not null
      );`);
    this.addSql(`create unique index "users_email_lower_unique" on "users" (lower("email"));`);

    this.addSql(`
      create table "orgs" (
        "id" uuid primary key,
        "name" varchar(255) not null,
        "management_email" varchar(320) not null,
        "logo" text null,
        "created_by" uuid not null references "users" ("id"),
        "created_at" timestamptz not null,
        "updated_at" timestamptz not null
      );`);

    this.addSql(`
      create table "org_members" (
        "org_id" uuid not null references "orgs" ("id") on delete cascade,
        "user_id" uuid not null references "users" ("id") on delete cascade,
        "role" varchar(16) not null check ("role" in ('read', 'upload', 'write', 'admin', 'super_admin')),
        "created_at" timestamptz not null,
        primary key ("org_id", "user_id")
      );`);
    this.addSql(`create index "org_members_user_id_index" on "org_members" ("user_id");`);

    this.addSql(`
      create table "api_keys" (
        "id" uuid primary key,
        "user_id" uuid not null references "users" ("id") on delete cascade,
        "name" varchar(255) not null,
        "key_hash" char(64) not null,
        "hint" varchar(32) not null,
        "mode" varchar(8) not null check ("mode" in ('read', 'upload', 'write', 'all')),
        "limited_to_orgs" uuid[] not null default '{}',
        "limited_to_apps" text[] not null default '{}',
        "expires_at" timestamptz null,
        "last_used_at" timestamptz null,
        "created_at" timestamptz not null,
        "updated_at" timestamptz not null
      );`);
    this.addSql(`create unique index "api_keys_key_hash_unique" on "api_keys" ("key_hash");`);
    this.addSql(`create index "api_keys_user_id_index" on "api_keys" ("user_id");`);

    // app_id sorts in byte order (collate "C") so that list pages are stable whatever the locale.
    this.addSql(`
      create table "apps" (
        "id" uuid primary key,
        "app_id" varchar(255) collate "C" not null,
        "app_id_key" varchar(255) collate "C" not null check ("app_id_key" = lower("app_id")),
        "name" varchar(255) not null,
        "icon_url" varchar(2048) not null default '',
        "owner_org" uuid not null references "orgs" ("id") on delete cascade,
        "user_id" uuid null references "users" ("id") on delete set null,
        "default_upload_channel" varchar(255) not null default 'dev',
        "retention" integer not null default 2592000 check ("retention" between 0 and 63113903),
        "last_version" varchar(255) null,
        "transfer_history" jsonb null,
        "created_at" timestamptz not null,
        "updated_at" timestamptz not null
      );`);
    this.addSql(`create unique index "apps_app_id_key_unique" on "apps" ("app_id_key");`);
    this.addSql(`create index "apps_owner_org_created_at_index" on "apps" ("owner_org", "created_at" desc, "app_id");`);
    this.addSql(`create index "apps_user_id_index" on "apps" ("user_id");`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "apps";`);
    this.addSql(`drop table if exists "api_keys";`);
    this.addSql(`drop table if exists "org_members";`);
    this.addSql(`drop table if exists "orgs";`);
    this.addSql(`drop table if exists "users";`);
  }
}

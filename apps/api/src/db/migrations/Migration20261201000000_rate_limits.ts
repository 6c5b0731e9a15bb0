import { Migration } from '@mikro-orm/migrations';

/**
 * Hit counters of the rate limiter, shared by every replica. Unlogged: counters are worth no WAL
 * write per request, and losing them in a crash only restarts the current windows.
 */
export class Migration20261201000000_rate_limits extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      create unlogged table "rate_limit_hits" (
        "key" text primary key,
        "hits" integer not null,
        "reset_at" timestamptz not null
      );`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "rate_limit_hits";`);
  }
}

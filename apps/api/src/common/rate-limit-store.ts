import type { IncrementResponse, Options, Store } from 'express-rate-limit';
import type { EntityManager } from '@mikro-orm/postgresql';
import { type Statement, queryRows } from '../db/raw.js';
import { serviceUnavailable } from './errors.js';
import type { Runtime } from './request-context.js';

/**
 * One atomic statement per hit: a fixed window per key that starts with its first hit. The row
 * lock taken by ON CONFLICT serialises concurrent hits, so replicas sharing the database never
 * lose a count.
 */
const INCREMENT: Statement = {
  name: 'rate_limit_increment',
  text: `
  insert into "rate_limit_hits" as h ("key", "hits", "reset_at")
  values ($1, 1, now() + $2 * interval '1 millisecond')
  on conflict ("key") do update set
    "hits" = case when h."reset_at" <= now() then 1 else h."hits" + 1 end,
    "reset_at" = case when h."reset_at" <= now() then excluded."reset_at" else h."reset_at" end
  returning "hits", "reset_at"`,
};

const DECREMENT = `update "rate_limit_hits" set "hits" = greatest("hits" - 1, 0) where "key" = ? and "reset_at" > now()`;
const RESET = `delete from "rate_limit_hits" where "key" = ?`;
const PURGE_EXPIRED = `delete from "rate_limit_hits" where "reset_at" < now()`;

/** Expired windows are purged once every this many hits, so the table stays small without a timer. */
const PURGE_EVERY = 1_000;

interface HitRow {
  hits: number | string;
  reset_at: Date | string;
}

/** express-rate-limit store in PostgreSQL (table `rate_limit_hits`), shared by every replica. */
export class PostgresRateLimitStore implements Store {
  readonly localKeys = false;
  private windowMs = 60_000;
  private hitsSincePurge = 0;

  constructor(
    private readonly runtime: Runtime,
    readonly prefix: string,
  ) {}

  init(options: Options): void {
    this.windowMs = options.windowMs;
  }

  async increment(key: string): Promise<IncrementResponse> {
    const orm = this.runtime.orm;
    if (!orm) throw serviceUnavailable();
    // Every authenticated request runs this: straight on the driver, prepared (see db/raw.ts).
    const [row] = await queryRows<HitRow>(orm.em as EntityManager, INCREMENT, [this.prefix + key, this.windowMs]);
    if (!row) throw new Error('rate limit upsert returned no row');
    if (++this.hitsSincePurge >= PURGE_EVERY) {
      this.hitsSincePurge = 0;
      this.execute(PURGE_EXPIRED, []).catch(() => {});
    }
    return { totalHits: Number(row.hits), resetTime: new Date(row.reset_at) };
  }

  async decrement(key: string): Promise<void> {
    await this.execute(DECREMENT, [this.prefix + key]);
  }

  async resetKey(key: string): Promise<void> {
    await this.execute(RESET, [this.prefix + key]);
  }

  private execute<T>(sql: string, params: unknown[]): Promise<T[]> {
    const orm = this.runtime.orm;
    if (!orm) throw serviceUnavailable();
    return orm.em.getConnection().execute<T[]>(sql, params, 'all');
  }
}

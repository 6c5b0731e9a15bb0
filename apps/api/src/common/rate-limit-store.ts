import type { EntityManager } from '@mikro-orm/postgresql';
import { type Statement, runSql } from '../db/sql.js';
import { serviceUnavailable } from './errors.js';
import type { Runtime } from './request-context.js';

/**
 * Takes `$2` requests of a fixed window (`$4` ms from its first lease) at once for one key. `hits`
 * counts every request leased by every replica; the row lock taken by ON CONFLICT serialises
 * replicas, so no lease is granted twice. `reset_in_ms` is measured on the database's clock and
 * read as a duration, so replicas whose clocks differ still agree on when the window ends.
 */
const LEASE: Statement = {
  name: 'rate_limit_lease',
  text: `
  insert into "rate_limit_hits" as h ("key", "hits", "reset_at")
  values ($1, $2, now() + $3 * interval '1 millisecond')
  on conflict ("key") do update set
    "hits" = case when h."reset_at" <= now() then excluded."hits" else h."hits" + excluded."hits" end,
    "reset_at" = case when h."reset_at" <= now() then excluded."reset_at" else h."reset_at" end
  returning "hits", ceil(extract(epoch from h."reset_at" - now()) * 1000) as "reset_in_ms"`,
};

const PURGE_EXPIRED = `delete from "rate_limit_hits" where "reset_at" < now()`;

/** Expired windows are purged once every this many leases, so the table stays small without a timer. */
const PURGE_EVERY = 1_000;
/** Windows this replica remembers, at most; past it, ended ones go first, then the oldest. */
const MAX_WINDOWS = 100_000;

interface LeaseRow {
  hits: number | string;
  reset_in_ms: number | string;
}

/** What this replica knows of one key's current window. */
interface Window {
  resetAt: number;
  /** Requests leased and not yet let through by this replica. */
  tokens: number;
  /** Requests leased by all replicas together at this replica's last lease, at most the limit. */
  leasedEverywhere: number;
  /** A lease on its way; other requests of the key wait for it instead of leasing too. */
  leasing?: Promise<void>;
}

export interface Take {
  allowed: boolean;
  /** Requests left in the window as far as this replica knows (what it and the others have not leased, plus its own unspent lease). */
  remaining: number;
  resetAt: number;
}

/**
 * A fixed-window counter per key, shared by every replica through PostgreSQL (table
 * `rate_limit_hits`, unlogged) without a statement per request: a replica leases `leaseSize`
 * requests of a key's window at once and lets them through from memory. No more than `limit`
 * requests are ever leased in a window, so the limit holds exactly across replicas; a lease left
 * unspent when the window ends only lets fewer through (at most `leaseSize - 1` per other replica).
 * Once the database says the window is used up, the replica answers from memory until it ends.
 */
export class LeasedCounter {
  private readonly windows = new Map<string, Window>();
  private leasesSincePurge = 0;

  constructor(
    private readonly runtime: Runtime,
    private readonly prefix: string,
    readonly limit: number,
    readonly windowMs: number,
    private readonly leaseSize: number,
  ) {}

  /** Counts one request of `key` when this replica can answer from memory; undefined when it must lease first. */
  takeNow(key: string): Take | undefined {
    let window = this.windows.get(key);
    if (window && window.resetAt <= Date.now() && !window.leasing) {
      this.windows.delete(key);
      window = undefined;
    }
    if (!window || window.leasing) return undefined;
    if (window.tokens > 0) {
      window.tokens -= 1;
      return {
        allowed: true,
        remaining: this.limit - window.leasedEverywhere + window.tokens,
        resetAt: window.resetAt,
      };
    }
    if (window.leasedEverywhere >= this.limit) return { allowed: false, remaining: 0, resetAt: window.resetAt };
    return undefined;
  }

  /** Counts one request of `key`, leasing from the database (or waiting for a lease on its way) when needed. */
  async take(key: string): Promise<Take> {
    for (;;) {
      const taken = this.takeNow(key);
      if (taken) return taken;
      const window = this.windows.get(key);
      if (window?.leasing) await window.leasing;
      else await this.lease(key, window);
    }
  }

  private lease(key: string, previous: Window | undefined): Promise<void> {
    const window: Window = previous ?? { resetAt: Number.POSITIVE_INFINITY, tokens: 0, leasedEverywhere: 0 };
    if (!previous) this.remember(key, window);
    const leasing = this.leaseFromDatabase(key).then(
      ({ hits, resetInMs }) => {
        const before = hits - this.leaseSize;
        window.tokens += Math.max(0, Math.min(this.leaseSize, this.limit - before));
        window.leasedEverywhere = Math.min(hits, this.limit);
        window.resetAt = Date.now() + resetInMs;
        window.leasing = undefined;
      },
      (error: unknown) => {
        // Forget the window, so the next request asks the database again.
        if (this.windows.get(key) === window) this.windows.delete(key);
        window.leasing = undefined;
        throw error;
      },
    );
    window.leasing = leasing.catch(() => {});
    return leasing;
  }

  private async leaseFromDatabase(key: string): Promise<{ hits: number; resetInMs: number }> {
    const orm = this.runtime.orm;
    if (!orm) throw serviceUnavailable();
    const em = orm.em as EntityManager;
    const [row] = await runSql<LeaseRow>(em, LEASE, [this.prefix + key, this.leaseSize, this.windowMs]);
    if (!row) throw new Error('rate limit lease returned no row');
    if (++this.leasesSincePurge >= PURGE_EVERY) {
      this.leasesSincePurge = 0;
      runSql(em, PURGE_EXPIRED, []).catch(() => {});
    }
    return { hits: Number(row.hits), resetInMs: Number(row.reset_in_ms) };
  }

  private remember(key: string, window: Window): void {
    if (this.windows.size >= MAX_WINDOWS) {
      const now = Date.now();
      for (const [other, w] of this.windows) if (w.resetAt <= now && !w.leasing) this.windows.delete(other);
      if (this.windows.size >= MAX_WINDOWS) this.windows.delete(this.windows.keys().next().value as string);
    }
    this.windows.set(key, window);
  }
}

/**
 * The one runner for hand-written SQL. See README.md in this folder for which statements are
 * hand-written and why; everything else goes through the ORM's EntityManager.
 */
import type { EntityManager, Knex } from '@mikro-orm/postgresql';
import type { Orm } from './orm.js';

export interface Statement {
  /** SQL with `$1`, `$2`, … placeholders; values are always bound, never spliced into the text. */
  text: string;
  /**
   * Makes it a prepared statement (see usePreparedStatements), parsed and planned once per connection
   * rather than on every run: for the two lookups of GET /app/:app_id that cut the database's CPU
   * per request by two thirds. Only for constant text whose best plan does not depend on the values,
   * such as an equality on a unique index (PostgreSQL may switch to a generic plan).
   */
  name?: string;
}

const PREPARED_STATEMENTS = 'apps-api/prepared-statements';

interface PgConnection {
  query(config: { text: string; values: unknown[]; name?: string }): Promise<{ rows: unknown[] }>;
}

/** The two calls of knex's client that lend a pooled connection (a transaction's client lends its own). */
interface ConnectionPool {
  acquireConnection(): Promise<PgConnection>;
  releaseConnection(connection: PgConnection): Promise<unknown> | unknown;
}

/**
 * Lets named statements be prepared on this ORM's connections. Only for a real PostgreSQL server:
 * the embedded database serves every client connection from one session, where a statement
 * prepared by one pooled connection would collide with the next connection's. The setting lives
 * on the ORM's own configuration (MikroORM's extension registry), so two ORMs in one process
 * (tests, the bench) each keep their own.
 */
export function usePreparedStatements(orm: Orm): void {
  orm.config.registerExtension(PREPARED_STATEMENTS, () => true);
}

/**
 * Runs one statement on the EntityManager's connection pool, or inside its transaction when it has
 * one, and returns the rows as the driver gives them (timestamps as text: see toDate).
 *
 * MikroORM 6.6 has no API that binds `$n` values or names a prepared statement (`em.execute` splices
 * the values into the SQL text, and cost 48 against 19 us of CPU per one-row lookup). So the statement
 * goes to `pg` on a connection borrowed from knex's pool, as knex's own runner borrows one. Knex's
 * public route (`raw(text).options({ name, values })`) works too, but cost GET /app/:app_id 965-1142
 * against 782-792 us of server CPU per request (see the issue-10 note).
 *
 * Errors leave as MikroORM's exceptions, converted exactly as the ORM converts its own, so a unique
 * or foreign-key violation is a UniqueConstraintViolationException or a
 * ForeignKeyConstraintViolationException whichever way the row was written. The message is
 * PostgreSQL's own, without the statement; a conflicting key's value is in `detail`.
 */
export async function runSql<T>(em: EntityManager, statement: Statement | string, values: unknown[]): Promise<T[]> {
  const { text, name } = typeof statement === 'string' ? { text: statement, name: undefined } : statement;
  const prepared = name !== undefined && em.config.getExtension<boolean>(PREPARED_STATEMENTS) === true;
  // A transaction is itself a knex instance that runs everything on the transaction's connection.
  const knex: Knex = em.getTransactionContext<Knex.Transaction>() ?? em.getConnection().getKnex();
  const pool = knex.client as unknown as ConnectionPool;
  const connection = await pool.acquireConnection();
  try {
    return (await connection.query(prepared ? { name, text, values } : { text, values })).rows as T[];
  } catch (error) {
    throw em.getDriver().convertException(error as Error);
  } finally {
    await pool.releaseConnection(connection);
  }
}

/** Timestamps come back as PostgreSQL's text (MikroORM's driver settings); this reads one as MikroORM's hydration does. */
export function toDate(em: EntityManager, value: string | Date): Date {
  return value instanceof Date ? value : (em.getPlatform().parseDate(value) as Date);
}

export function toDateOrNull(em: EntityManager, value: string | Date | null): Date | null {
  return value === null ? null : toDate(em, value);
}

import type { EntityManager } from '@mikro-orm/postgresql';

interface PgConnection {
  query(config: { text: string; values: unknown[]; name?: string }): Promise<{ rows: unknown[] }>;
}

interface KnexClient {
  acquireConnection(): Promise<PgConnection>;
  releaseConnection(connection: PgConnection): Promise<unknown> | unknown;
}

/** Connections (one per ORM) whose database keeps prepared statements per client connection. */
const preparing = new WeakSet<object>();

/**
 * Lets named statements be prepared on this ORM's connections. Only for a real PostgreSQL server:
 * the embedded database serves every client connection from one session, where a statement
 * prepared by one pooled connection would collide with the next connection's.
 */
export function usePreparedStatements(orm: { em: { getConnection(): object } }): void {
  preparing.add(orm.em.getConnection());
}

export interface Statement {
  text: string;
  /**
   * Makes it a prepared statement (see usePreparedStatements), parsed and planned once per connection
   * rather than on every run: for the two lookups of GET /app/:app_id that cut the database's CPU
   * per request by two thirds. Only for constant text whose best plan does not depend on the values,
   * such as an equality on a unique index (PostgreSQL may switch to a generic plan).
   */
  name?: string;
}

/**
 * Runs one statement (`$1`-style placeholders) on the EntityManager's connection pool, or inside its
 * transaction when it has one, and returns the rows as the driver gives them.
 *
 * For the paths every request takes (authentication, reading apps): hydrating entities cost them
 * more CPU than the rest of the request, and even `em.execute` adds ~35 us per statement of query
 * building and logging on top of the driver (see bench/README.md). Errors are the driver's own, which
 * the error handler already recognises (an unreachable database still answers 503).
 */
export async function queryRows<T>(em: EntityManager, statement: Statement | string, values: unknown[]): Promise<T[]> {
  const { text, name } = typeof statement === 'string' ? { text: statement, name: undefined } : statement;
  const prepared = name !== undefined && preparing.has(em.getConnection());
  // A knex transaction's client hands out the transaction's own connection.
  const knex = em.getTransactionContext() ?? em.getConnection().getKnex();
  const client = (knex as unknown as { client: KnexClient }).client;
  const connection = await client.acquireConnection();
  try {
    return (await connection.query(prepared ? { name, text, values } : { text, values })).rows as T[];
  } finally {
    await client.releaseConnection(connection);
  }
}

/** Timestamps come back as PostgreSQL's text (MikroORM's driver settings); this reads one as MikroORM's hydration does. */
export function toDate(em: EntityManager, value: string | Date): Date {
  return value instanceof Date ? value : (em.getPlatform().parseDate(value) as Date);
}

export function toDateOrNull(em: EntityManager, value: string | Date | null): Date | null {
  return value === null ? null : toDate(em, value);
}

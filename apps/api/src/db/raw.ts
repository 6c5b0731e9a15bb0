import type { EntityManager } from '@mikro-orm/postgresql';

interface PgConnection {
  query(text: string, values: unknown[]): Promise<{ rows: unknown[] }>;
}

interface KnexClient {
  acquireConnection(): Promise<PgConnection>;
  releaseConnection(connection: PgConnection): Promise<unknown> | unknown;
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
export async function queryRows<T>(em: EntityManager, text: string, values: unknown[]): Promise<T[]> {
  // A knex transaction's client hands out the transaction's own connection.
  const knex = em.getTransactionContext() ?? em.getConnection().getKnex();
  const client = (knex as unknown as { client: KnexClient }).client;
  const connection = await client.acquireConnection();
  try {
    return (await connection.query(text, values)).rows as T[];
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

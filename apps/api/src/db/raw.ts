import type { EntityManager } from '@mikro-orm/postgresql';

/**
 * Raw results (`em.execute`) skip hydration, which the hot read paths cannot afford (see
 * bench/README.md); they carry timestamps as PostgreSQL's text. This turns one into a Date the
 * way MikroORM's own hydration does.
 */
export function toDate(em: EntityManager, value: string | Date): Date {
  return value instanceof Date ? value : (em.getPlatform().parseDate(value) as Date);
}

export function toDateOrNull(em: EntityManager, value: string | Date | null): Date | null {
  return value === null ? null : toDate(em, value);
}

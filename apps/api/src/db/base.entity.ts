import { randomUUID } from 'node:crypto';
import { p } from '@mikro-orm/core';

/*
 * The rule for `updated_at`, written here once in each of its forms: every update advances it, even
 * one that changes no value, and even within one millisecond of the previous one.
 */

/** A timestamp strictly after `previous`: what the entities' onUpdate sets at flush. */
export function nextUpdatedAt(previous: Date | undefined): Date {
  return new Date(Math.max(Date.now(), (previous?.getTime() ?? 0) + 1));
}

/**
 * For an update through the ORM that may change no value: the ORM flushes only entities with a
 * changed value, so onUpdate alone would leave `updated_at` as it was.
 */
export function markUpdated(entity: { updatedAt: Date }): void {
  entity.updatedAt = nextUpdatedAt(entity.updatedAt);
}

/** The rule in SQL, for a hand-written `update … set updated_at = <this>`; `now` is the placeholder of the current time. */
export function nextUpdatedAtSql(now: string): string {
  return `greatest(${now}::timestamptz, updated_at + interval '1 millisecond')`;
}

/** Columns every row with its own identity shares: a uuid id and creation/update times. */
export const baseProperties = {
  id: p
    .uuid()
    .primary()
    .onCreate(() => randomUUID()),
  createdAt: p.datetime().onCreate(() => new Date()),
  updatedAt: p
    .datetime()
    .onCreate(() => new Date())
    .onUpdate((entity: { updatedAt?: Date }) => nextUpdatedAt(entity.updatedAt)),
};

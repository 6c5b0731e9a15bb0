import { randomUUID } from 'node:crypto';
import { p } from '@mikro-orm/core';

/** A timestamp strictly after `previous`, so `updated_at` advances on every update, even within one millisecond. */
export function nextUpdatedAt(previous: Date | undefined): Date {
  return new Date(Math.max(Date.now(), (previous?.getTime() ?? 0) + 1));
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

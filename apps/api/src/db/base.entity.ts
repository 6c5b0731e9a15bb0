import { randomUUID } from 'node:crypto';
import { p } from '@mikro-orm/core';

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
    .onUpdate(() => new Date()),
};

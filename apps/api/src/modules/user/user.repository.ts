import { randomUUID } from 'node:crypto';
import { LockMode } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { runSql } from '../../db/sql.js';
import { User } from './user.entity.js';

/** E-mail addresses are compared case-insensitively and stored lower-cased. */
export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

export function findUserByEmail(em: EntityManager, email: string): Promise<User | null> {
  return em.findOne(User, { email: normalizeEmail(email) });
}

export function findUserById(em: EntityManager, id: string): Promise<User | null> {
  return em.findOne(User, { id });
}

/**
 * The user with that e-mail, inserted at once when new. Two requests inviting the same new
 * address at the same moment both get the one user instead of a unique-constraint failure
 * (hand-written: the ORM has no "insert unless it exists" against an expression index).
 */
export async function ensureUser(em: EntityManager, email: string): Promise<User> {
  const normalized = normalizeEmail(email);
  await runSql(
    em,
    'insert into users (id, email, created_at, updated_at) values ($1, $2, $3, $3) on conflict do nothing',
    [randomUUID(), normalized, new Date()],
  );
  return em.findOneOrFail(User, { email: normalized });
}

/**
 * Locks the user row until the transaction ends, so that two requests creating what a user may
 * hold only so much of (keys, orgs) count one after the other. Null when the user is gone.
 */
export function lockUser(tx: EntityManager, id: string): Promise<User | null> {
  return tx.findOne(User, { id }, { lockMode: LockMode.PESSIMISTIC_WRITE });
}

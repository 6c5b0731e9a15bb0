import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import { queryRows } from '../db/raw.js';
import { DOWNLOAD_URL_TTL_SECONDS } from './storage.js';

const SECRET_NAME = 'file_url_signing';

/**
 * The key that signs local download URLs. The first replica to start creates it; every other one
 * reads the same row, so a URL signed by one replica is accepted by all.
 */
export async function loadSigningSecret(em: EntityManager): Promise<Buffer> {
  await queryRows(
    em,
    `insert into server_secrets (name, value, created_at) values ($1, $2, now()) on conflict (name) do nothing`,
    [SECRET_NAME, randomBytes(32).toString('base64')],
  );
  const [row] = await queryRows<{ value: string }>(em, 'select value from server_secrets where name = $1', [
    SECRET_NAME,
  ]);
  if (!row) throw new Error('the file URL signing secret could not be created');
  return Buffer.from(row.value, 'base64');
}

export interface FileSignature {
  expires: number;
  signature: string;
}

function mac(secret: Buffer, key: string, expires: number): string {
  return createHmac('sha256', secret).update(`${key}\n${expires}`).digest('hex');
}

/** Signs `key` until now + 24 h (seconds since the epoch). */
export function signFileKey(secret: Buffer, key: string, now = Date.now()): FileSignature {
  const expires = Math.floor(now / 1000) + DOWNLOAD_URL_TTL_SECONDS;
  return { expires, signature: mac(secret, key, expires) };
}

export function isValidFileSignature(secret: Buffer, key: string, given: FileSignature, now = Date.now()): boolean {
  if (given.expires * 1000 <= now) return false;
  const expected = Buffer.from(mac(secret, key, given.expires), 'hex');
  const actual = Buffer.from(given.signature, 'hex');
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

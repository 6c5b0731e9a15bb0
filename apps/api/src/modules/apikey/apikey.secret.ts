import { createHash, randomBytes } from 'node:crypto';

const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
export const KEY_PREFIX = 'capgo_';
const RANDOM_CHARS = 40; // ≈ 238 bits

/** A fresh secret: the readable prefix plus 40 uniformly random base62 characters. */
export function generateSecret(): string {
  let out = '';
  while (out.length < RANDOM_CHARS) {
    for (const byte of randomBytes(64)) {
      // 248 = 4 × 62: rejecting larger bytes keeps every character equally likely.
      if (byte < 248 && out.length < RANDOM_CHARS) out += ALPHABET[byte % 62];
    }
  }
  return KEY_PREFIX + out;
}

/** What the database stores in place of the secret. */
export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

/** A non-secret reminder of which key this is: the prefix and the last four characters. */
export function hintFor(secret: string): string {
  return `${KEY_PREFIX}…${secret.slice(-4)}`;
}

import { isIP } from 'node:net';
import { BUNDLE_MAX_BYTES_DEFAULT } from '@apps-api/contract';
import { z } from 'zod';

const booleanFlag = z
  .enum(['true', 'false', '1', '0'], { message: 'must be true or false' })
  .transform((value) => value === 'true' || value === '1');

const nonNegativeInt = z.string().regex(/^\d+$/, 'must be a non-negative integer').transform(Number);

/** `*`, or a comma-separated list of exact origins such as `https://app.example.com`. */
const corsOrigins = z
  .string()
  .transform((value) => value.split(',').map((origin) => origin.trim()))
  .refine(
    (origins) => origins.join() === '*' || origins.every(isOrigin),
    'must be * or a comma-separated list of origins such as https://app.example.com (scheme, host, optional port)',
  );

function isOrigin(value: string): boolean {
  try {
    const url = new URL(value);
    return /^https?:$/.test(url.protocol) && url.origin === value;
  } catch {
    return false;
  }
}

const PROXY_NAMES = new Set(['loopback', 'linklocal', 'uniquelocal']);

function isProxyAddress(value: string): boolean {
  if (PROXY_NAMES.has(value)) return true;
  const [address = '', prefix, ...rest] = value.split('/');
  const version = isIP(address);
  if (version === 0 || rest.length > 0) return false;
  return prefix === undefined || (/^\d{1,3}$/.test(prefix) && Number(prefix) <= (version === 4 ? 32 : 128));
}

/**
 * `0`, or the proxies' addresses. A hop count (the old `TRUST_PROXY=1`) is refused: it believed the
 * X-Forwarded-For of any client, who could then pick the address its failures are counted against.
 */
const trustedProxies = z
  .string()
  .transform((value) => (value.trim() === '0' ? [] : value.split(',').map((entry) => entry.trim())))
  .refine(
    (entries) => entries.every(isProxyAddress),
    'must be 0 or a comma-separated list of proxy addresses: IPs, CIDRs (10.0.0.0/8), loopback, linklocal or uniquelocal (a hop count is no longer accepted: it believed X-Forwarded-For from any client)',
  );

/** The one schema for the environment (SPEC §6); nothing else reads process.env. */
const ConfigSchema = z.object({
  PORT: z
    .string()
    .regex(/^\d+$/, 'must be a port number')
    .transform(Number)
    .pipe(z.number().int().min(0).max(65535, 'must be a port number'))
    .default('3000'),
  HOST: z.string().min(1).default('127.0.0.1'),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL')
    .optional(),
  DATA_DIR: z.string().min(1).default('./.data'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  MIGRATE_ON_START: booleanFlag.default('true'),
  DB_POOL_MAX: nonNegativeInt.pipe(z.number().int().min(1).max(100)).default('10'),
  /** Named prepared statements for the hottest lookups; false behind a pooler that cannot keep them (PgBouncer in transaction mode before 1.21). */
  DB_PREPARED_STATEMENTS: booleanFlag.default('true'),
  RATE_LIMIT_PER_MINUTE: nonNegativeInt.default('2000'),
  /** All of one user's keys together; unset: as much as one key (RATE_LIMIT_PER_MINUTE), so minting keys adds nothing. */
  RATE_LIMIT_PER_USER_PER_MINUTE: nonNegativeInt.optional(),
  RATE_LIMIT_FAILED_AUTH: nonNegativeInt.default('20'),
  /** Device-route requests per device, app and route a minute (/updates, /stats, /channel_self each); 0 = off. */
  DEVICE_RATE_LIMIT_PER_MINUTE: nonNegativeInt.default('60'),
  /** Origins allowed to call the API from a browser; unset: CORS closed (no CORS headers at all). */
  CORS_ORIGINS: corsOrigins.optional(),
  /**
   * Addresses of the reverse proxies in front of the server (IPs, CIDRs, or `loopback`, `linklocal`,
   * `uniquelocal`), comma-separated: X-Forwarded-For is believed only from them. `0` or unset: from none.
   */
  TRUST_PROXY: trustedProxies.default('0'),
  /** Unset: bundle zips under `<DATA_DIR>/bundles`; `s3://<bucket>[/<prefix>]`: that bucket, shared by every replica. */
  STORAGE_URL: z
    .string()
    .regex(/^s3:\/\/[a-z0-9][a-z0-9.-]{1,61}[a-z0-9](\/[\w./-]*)?$/, 'must be s3://<bucket>[/<prefix>]')
    .optional(),
  S3_ENDPOINT: z.string().url('must be an http(s) URL').regex(/^https?:\/\//, 'must be an http(s) URL').optional(),
  S3_REGION: z.string().min(1).default('us-east-1'),
  S3_FORCE_PATH_STYLE: booleanFlag.default('false'),
  AWS_ACCESS_KEY_ID: z.string().min(1).optional(),
  AWS_SECRET_ACCESS_KEY: z.string().min(1).optional(),
  BUNDLE_MAX_BYTES: nonNegativeInt
    .pipe(z.number().int().min(1, 'must be at least 1').max(Number.MAX_SAFE_INTEGER))
    .default(String(BUNDLE_MAX_BYTES_DEFAULT)),
  /** The base address devices reach (download URLs of locally stored bundles); default http://<HOST>:<PORT>. */
  PUBLIC_URL: z
    .string()
    .url('must be an http(s) URL')
    .regex(/^https?:\/\/[^?#]*$/, 'must be an http(s) URL without query or fragment')
    .transform((value) => value.replace(/\/+$/, ''))
    .optional(),
  /** Seconds between two retention runs; 0 = off. */
  RETENTION_INTERVAL_SECONDS: nonNegativeInt.pipe(z.number().int().max(31_536_000, 'must be at most one year')).default('3600'),
});

export type Config = z.infer<typeof ConfigSchema>;

export class ConfigError extends Error {}

/** Parses the environment; the error names every bad variable. */
export function loadConfig(env: Record<string, string | undefined>): Config {
  const present = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value !== ''));
  const result = ConfigSchema.safeParse(present);
  if (!result.success) {
    const lines = result.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    throw new ConfigError(`Invalid configuration:\n  ${lines.join('\n  ')}`);
  }
  return result.data;
}

/** Where devices reach this server: PUBLIC_URL, or http://<HOST>:<PORT>. */
export function publicUrlOf(config: Pick<Config, 'PUBLIC_URL' | 'HOST' | 'PORT'>): string {
  return config.PUBLIC_URL ?? `http://${config.HOST}:${config.PORT}`;
}

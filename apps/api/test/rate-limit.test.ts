import { describe, expect, it } from 'vitest';
import { createTenant } from './support/factories.js';
import { type Harness, errorEnvelope, requestIdOf, useServer } from './support/harness.js';

// TRUST_PROXY lets each test speak from its own client IP (X-Forwarded-For), so counters never mix.
const h = useServer({ RATE_LIMIT_PER_MINUTE: 5, RATE_LIMIT_FAILED_AUTH: 3, TRUST_PROXY: 1 });
const unlimited = useServer({ RATE_LIMIT_PER_MINUTE: 0, RATE_LIMIT_FAILED_AUTH: 0, TRUST_PROXY: 1 });

const TOO_MANY = 'Too many requests: retry after the number of seconds in Retry-After';

let ipCounter = 0;
/** A client address no other test uses (documentation ranges, RFC 5737 / RFC 3849). */
const uniqueIp = () => {
  ipCounter += 1;
  return ipCounter % 2 ? `198.51.${ipCounter >> 8}.${ipCounter & 255}` : `2001:db8:${ipCounter.toString(16)}::1`;
};

async function getApps(server: Harness, ip: string, key?: string) {
  const rid = requestIdOf();
  let req = server.http().get('/app').set('x-request-id', rid).set('x-forwarded-for', ip);
  if (key !== undefined) req = req.set('authorization', key);
  return Object.assign(await req, { rid });
}

describe('per-key rate limit', () => {
  it('answers RATE_LIMIT_PER_MINUTE requests a minute per key, then 429 with Retry-After and RateLimit headers', async () => {
    const t = await createTenant(h.em());
    const ip = uniqueIp();
    for (let i = 1; i <= 5; i++) {
      const ok = await getApps(h, ip, t.key);
      expect(ok.status).toBe(200);
      expect(ok.headers.ratelimit).toMatch(new RegExp(`^"api-key"; r=${5 - i}; t=(60|59)$`));
      expect(ok.headers['ratelimit-policy']).toMatch(/^"api-key"; q=5; w=60; pk=:[A-Za-z0-9+/=]+:$/);
    }
    const limited = await getApps(h, ip, t.key);
    expect(limited.status).toBe(429);
    expect(limited.body).toEqual(errorEnvelope('rate_limited', TOO_MANY, limited.rid));
    expect(Number(limited.headers['retry-after'])).toBeGreaterThanOrEqual(55);
    expect(Number(limited.headers['retry-after'])).toBeLessThanOrEqual(60);
    expect(limited.headers.ratelimit).toMatch(/^"api-key"; r=0; t=\d+$/);
  });

  it('counts each key on its own, whatever the client IP', async () => {
    const t = await createTenant(h.em());
    const other = await createTenant(h.em());
    for (let i = 0; i < 5; i++) expect((await getApps(h, uniqueIp(), t.key)).status).toBe(200);
    expect((await getApps(h, uniqueIp(), t.key)).status).toBe(429);
    expect((await getApps(h, uniqueIp(), other.key)).status).toBe(200);
  });

  it('is off with RATE_LIMIT_PER_MINUTE=0: no 429 and no RateLimit headers', async () => {
    const t = await createTenant(unlimited.em());
    for (let i = 0; i < 12; i++) {
      const res = await getApps(unlimited, uniqueIp(), t.key);
      expect(res.status).toBe(200);
      expect(res.headers.ratelimit).toBeUndefined();
    }
  });
});

describe('failed-authentication rate limit per client IP', () => {
  it('answers 401 to RATE_LIMIT_FAILED_AUTH bad keys, then 429 for 15 minutes', async () => {
    const ip = uniqueIp();
    for (let i = 0; i < 3; i++) {
      const res = await getApps(h, ip, `capgo_wrong${i}`);
      expect(res.status).toBe(401);
      expect(res.body).toEqual(errorEnvelope('invalid_apikey', 'Invalid API key', res.rid));
      expect(res.headers.ratelimit).toMatch(new RegExp(`^"failed-auth"; r=${2 - i}; t=\\d+$`));
    }
    const limited = await getApps(h, ip, 'capgo_wrong3');
    expect(limited.status).toBe(429);
    expect(limited.body).toEqual(errorEnvelope('rate_limited', TOO_MANY, limited.rid));
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(890);
    expect(Number(limited.headers['retry-after'])).toBeLessThanOrEqual(900);
    expect(limited.headers['ratelimit-policy']).toMatch(/^"failed-auth"; q=3; w=900; pk=:[A-Za-z0-9+/=]+:$/);
  });

  it('refuses a blocked client even a valid key, so stolen keys cannot be tested through it', async () => {
    const t = await createTenant(h.em());
    const ip = uniqueIp();
    for (let i = 0; i < 4; i++) await getApps(h, ip, `capgo_wrong${i}`);
    const withValidKey = await getApps(h, ip, t.key);
    expect(withValidKey.status).toBe(429);
    expect(withValidKey.body).toEqual(errorEnvelope('rate_limited', TOO_MANY, withValidKey.rid));
    expect((await getApps(h, uniqueIp(), t.key)).status).toBe(200);
  });

  it('does not count requests without a key, nor valid keys', async () => {
    const t = await createTenant(h.em());
    const ip = uniqueIp();
    for (let i = 0; i < 6; i++) {
      const res = await getApps(h, ip);
      expect(res.status).toBe(401);
      expect(res.body).toEqual(errorEnvelope('no_key_provided', 'No key provided', res.rid));
    }
    for (let i = 0; i < 4; i++) expect((await getApps(h, ip, t.key)).status).toBe(200);
    expect((await getApps(h, ip, 'capgo_wrong')).status).toBe(401);
  });

  it('counts IPv6 clients by /56, so hopping inside one allocation does not help', async () => {
    const prefix = `2001:db8:ff${(ipCounter++ & 255).toString(16).padStart(2, '0')}`;
    for (let i = 0; i < 3; i++) expect((await getApps(h, `${prefix}:${i}::1`, 'capgo_wrong')).status).toBe(401);
    expect((await getApps(h, `${prefix}:ab::7`, 'capgo_wrong')).status).toBe(429);
  });

  it('is off with RATE_LIMIT_FAILED_AUTH=0', async () => {
    const ip = uniqueIp();
    for (let i = 0; i < 8; i++) expect((await getApps(unlimited, ip, 'capgo_wrong')).status).toBe(401);
  });
});

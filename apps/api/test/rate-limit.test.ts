import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config.js';
import { createKeyFor, createTenant } from './support/factories.js';
import { type Harness, errorEnvelope, requestIdOf, useServer } from './support/harness.js';

// Loopback is a trusted proxy here, so each test speaks from its own client IP (X-Forwarded-For) and counters never mix.
const h = useServer({ RATE_LIMIT_PER_MINUTE: 5, RATE_LIMIT_FAILED_AUTH: 3, TRUST_PROXY: ['loopback'] });
const unlimited = useServer({ RATE_LIMIT_PER_MINUTE: 0, RATE_LIMIT_FAILED_AUTH: 0, TRUST_PROXY: ['loopback'] });
const perUser = useServer({ RATE_LIMIT_PER_MINUTE: 4, RATE_LIMIT_PER_USER_PER_MINUTE: 6, TRUST_PROXY: ['loopback'] });
/** No trusted proxy: the address is the socket's (127.0.0.1), whatever X-Forwarded-For says. */
const noProxy = useServer({ RATE_LIMIT_FAILED_AUTH: 3 });
/** Trusts a proxy address that is not the tests' own, so their X-Forwarded-For is not believed either. */
const otherProxy = useServer({ RATE_LIMIT_FAILED_AUTH: 3, TRUST_PROXY: ['10.0.0.0/8'] });

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

  it('keeps serving a valid key from an address over the limit: one broken client does not lock out its NAT', async () => {
    const t = await createTenant(h.em());
    const ip = uniqueIp();
    for (let i = 0; i < 4; i++) await getApps(h, ip, `capgo_wrong${i}`);
    const withValidKey = await getApps(h, ip, t.key);
    expect(withValidKey.status).toBe(200);
    expect(withValidKey.headers.ratelimit).toMatch(/^"api-key"; r=4; t=(60|59)$/);
    const stillBad = await getApps(h, ip, 'capgo_wrong9');
    expect(stillBad.status).toBe(429);
    expect(stillBad.body).toEqual(errorEnvelope('rate_limited', TOO_MANY, stillBad.rid));
    expect(stillBad.headers.ratelimit).toMatch(/^"failed-auth"; r=0; t=\d+$/);
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

  it('believes X-Forwarded-For only from a trusted proxy: forged addresses neither spread nor aim the count', async () => {
    // Both servers count the socket's address (127.0.0.1): one trusts no proxy, the other only 10.0.0.0/8.
    const target = uniqueIp();
    for (let i = 0; i < 3; i++) expect((await getApps(noProxy, uniqueIp(), 'capgo_wrong')).status).toBe(401);
    const limited = await getApps(noProxy, uniqueIp(), 'capgo_wrong');
    expect(limited.status).toBe(429);
    expect(limited.body).toEqual(errorEnvelope('rate_limited', TOO_MANY, limited.rid));
    expect((await getApps(otherProxy, target, 'capgo_wrong')).status).toBe(429);
    // The forged address was never counted.
    expect((await getApps(h, target, 'capgo_wrong')).status).toBe(401);
  });

  it('is off with RATE_LIMIT_FAILED_AUTH=0', async () => {
    const ip = uniqueIp();
    for (let i = 0; i < 8; i++) expect((await getApps(unlimited, ip, 'capgo_wrong')).status).toBe(401);
  });
});

describe('per-user rate limit', () => {
  it("counts all of a user's keys together, so minting keys does not multiply the limit", async () => {
    const t = await createTenant(perUser.em());
    const second = await createKeyFor(perUser.em(), t.userId);
    const third = await createKeyFor(perUser.em(), t.userId);
    for (let i = 0; i < 4; i++) expect((await getApps(perUser, uniqueIp(), t.key)).status).toBe(200);
    const keyLimited = await getApps(perUser, uniqueIp(), t.key);
    expect(keyLimited.status).toBe(429);
    expect(keyLimited.headers.ratelimit).toMatch(/^"api-key"; r=0; t=\d+$/);

    const fifth = await getApps(perUser, uniqueIp(), second.key);
    expect(fifth.status).toBe(200);
    expect(fifth.headers.ratelimit).toMatch(/^"user"; r=1; t=(60|59)$/);
    expect(fifth.headers['ratelimit-policy']).toMatch(/^"user"; q=6; w=60; pk=:[A-Za-z0-9+/=]+:$/);
    expect((await getApps(perUser, uniqueIp(), second.key)).status).toBe(200);
    const userLimited = await getApps(perUser, uniqueIp(), third.key);
    expect(userLimited.status).toBe(429);
    expect(userLimited.body).toEqual(errorEnvelope('rate_limited', TOO_MANY, userLimited.rid));
    expect(userLimited.headers.ratelimit).toMatch(/^"user"; r=0; t=\d+$/);
    expect(Number(userLimited.headers['retry-after'])).toBeGreaterThanOrEqual(55);

    const stranger = await createTenant(perUser.em());
    expect((await getApps(perUser, uniqueIp(), stranger.key)).status).toBe(200);
  });

  it('defaults to the per-key limit', () => {
    expect(loadConfig({}).RATE_LIMIT_PER_USER_PER_MINUTE).toBeUndefined();
    expect(loadConfig({ RATE_LIMIT_PER_USER_PER_MINUTE: '0' }).RATE_LIMIT_PER_USER_PER_MINUTE).toBe(0);
  });
});

describe('TRUST_PROXY', () => {
  it('takes addresses, CIDRs and the names loopback, linklocal, uniquelocal; 0 or unset is none', () => {
    expect(loadConfig({}).TRUST_PROXY).toEqual([]);
    expect(loadConfig({ TRUST_PROXY: '0' }).TRUST_PROXY).toEqual([]);
    expect(loadConfig({ TRUST_PROXY: '10.0.0.1, 192.168.0.0/16,fd00::/8,loopback' }).TRUST_PROXY).toEqual([
      '10.0.0.1',
      '192.168.0.0/16',
      'fd00::/8',
      'loopback',
    ]);
  });

  it.each(['1', '2', 'true', '10.0.0.0/33', '300.1.1.1', 'proxy.example.com'])(
    'refuses %s, naming the variable (a hop count believed any client)',
    (value) => {
      expect(() => loadConfig({ TRUST_PROXY: value })).toThrow(ConfigError);
      expect(() => loadConfig({ TRUST_PROXY: value })).toThrow(/TRUST_PROXY: must be 0 or a comma-separated list/);
    },
  );
});

import { describe, expect, it } from 'vitest';
import { errorEnvelope, useServer } from './support/harness.js';

const h = useServer();

describe('service endpoints', () => {
  it('answers /livez and /readyz without a key', async () => {
    const live = await h.http().get('/livez');
    expect(live.status).toBe(200);
    expect(live.body).toEqual({ status: 'ok' });
    const ready = await h.http().get('/readyz/');
    expect(ready.status).toBe(200);
    expect(ready.body).toEqual({ status: 'ok' });
  });

  it.each(['starting', 'draining'] as const)(
    'says 503 on /readyz and on /app while %s, /livez stays 200',
    async (state) => {
      h.runtime.state = state;
      try {
        const ready = await h.http().get('/readyz').set('x-request-id', 'r');
        expect(ready.status).toBe(503);
        const unavailable = errorEnvelope('service_unavailable', 'Service unavailable, retry later', 'r');
        expect(ready.body).toEqual(unavailable);
        const app = await h.http().get('/app').set('x-request-id', 'r').set('authorization', 'capgo_x');
        expect(app.status).toBe(503);
        expect(app.body).toEqual(unavailable);
        expect((await h.http().get('/livez')).status).toBe(200);
      } finally {
        h.runtime.state = 'ready';
      }
    },
  );
});

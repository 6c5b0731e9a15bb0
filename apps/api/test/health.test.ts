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

  it.each([
    ['starting', 503],
    ['draining', 401],
  ] as const)('while %s: /readyz says 503, /livez 200, and /app answers %i', async (state, appStatus) => {
    h.runtime.state = state;
    try {
      const ready = await h.http().get('/readyz').set('x-request-id', 'r');
      expect(ready.status).toBe(503);
      const unavailable = errorEnvelope('service_unavailable', 'Service unavailable, retry later', 'r');
      expect(ready.body).toEqual(unavailable);
      expect((await h.http().get('/livez')).status).toBe(200);
      // Draining still serves what reaches it (in flight); starting has no database yet.
      const app = await h.http().get('/app').set('x-request-id', 'r').set('authorization', 'capgo_x');
      expect(app.status).toBe(appStatus);
      expect(app.body).toEqual(
        appStatus === 503 ? unavailable : errorEnvelope('invalid_apikey', 'Invalid API key', 'r'),
      );
    } finally {
      h.runtime.state = 'ready';
    }
  });
});

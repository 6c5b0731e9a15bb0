import { describe, expect, it } from 'vitest';
import { writeTelemetry } from '../src/modules/stats/stats.writer.js';
import { call } from './support/client.js';
import { errorEnvelope, useServer } from './support/harness.js';
import { tenantWithApp } from './support/live-updates.js';

const h = useServer();
const zero = (date: string) => ({ date, devices: 0, update_checks: 0, updates_offered: 0, installs: 0, failures: 0 });

describe('GET /statistics', () => {
  it('answers one row per UTC day, zeros included, from what devices did', async () => {
    const { t, app } = await tenantWithApp(h);
    const device = (id: string, at: string) => ({
      app: app.id,
      deviceId: id,
      customId: '',
      platform: 'ios',
      versionName: '1.0.0',
      versionBuild: '1.0.0',
      versionCode: null,
      osVersion: '17',
      pluginVersion: '7.0.0',
      isProd: true,
      isEmulator: false,
      installSource: null,
      defaultChannel: null,
      keyId: null,
      seenAt: new Date(at),
    });
    const event = (action: string, at: string) => ({
      app: app.id,
      deviceId: '00000000-0000-4000-8000-000000000001',
      action,
      versionName: '1.0.1',
      oldVersionName: null,
      metadata: null,
      receivedAt: new Date(at),
    });
    // Two batches, as the telemetry queue sends them: one sighting per device each.
    await writeTelemetry(h.em(), {
      devices: [device('00000000-0000-4000-8000-000000000001', '2026-02-02T23:59:59Z')],
      events: [],
      updateChecks: [],
    });
    await writeTelemetry(h.em(), {
      devices: [
        device('00000000-0000-4000-8000-000000000002', '2026-02-02T01:00:00Z'),
        device('00000000-0000-4000-8000-000000000001', '2026-02-04T00:00:00Z'),
      ],
      events: [
        event('set', '2026-02-02T10:00:00Z'),
        event('download_fail', '2026-02-02T10:00:01Z'),
        event('set_fail', '2026-02-04T10:00:01Z'),
        event('download_complete', '2026-02-04T10:00:02Z'),
      ],
      updateChecks: [{ app: app.id, day: '2026-02-02', checks: 2, offered: 1 }],
    });
    const res = await call(h, 'get', `/statistics?app_id=${app.app_id}&from=2026-02-01&to=2026-02-04`, { key: t.key });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      data: [
        zero('2026-02-01'),
        { date: '2026-02-02', devices: 2, update_checks: 2, updates_offered: 1, installs: 1, failures: 1 },
        zero('2026-02-03'),
        { date: '2026-02-04', devices: 1, update_checks: 0, updates_offered: 0, installs: 0, failures: 1 },
      ],
    });
  });

  it('accepts 366 days and refuses 367, a reversed range and impossible dates', async () => {
    const { t, app } = await tenantWithApp(h);
    const year = await call(h, 'get', `/statistics?app_id=${app.app_id}&from=2024-01-01&to=2024-12-31`, { key: t.key });
    expect(year.status).toBe(200);
    expect(year.body.data).toHaveLength(366);
    for (const [query, path, message] of [
      ['from=2024-01-01&to=2025-01-01', 'to', 'The range must be at most 366 days'],
      ['from=2024-01-02&to=2024-01-01', 'to', 'Must not be before from'],
      ['from=2024-02-30&to=2024-03-01', 'from', 'Must be a real calendar date'],
      ['from=20240101&to=2024-03-01', 'from', 'Must be a date as YYYY-MM-DD'],
    ]) {
      const res = await call(h, 'get', `/statistics?app_id=${app.app_id}&${query}`, { key: t.key });
      expect(res.status).toBe(400);
      expect(res.body).toEqual(
        errorEnvelope('invalid_parameters', 'Invalid parameters', res.rid, { issues: [{ path, message }] }),
      );
    }
  });
});

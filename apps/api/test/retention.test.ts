import { describe, expect, inject, it } from 'vitest';
import { RETENTION_LOCK, runRetention } from '../src/jobs/retention.js';
import type { BundleStorage } from '../src/storage/storage.js';
import { call } from './support/client.js';
import { useServer } from './support/harness.js';
import { createChannelVia, storedState, tenantWithApp, uploadedBundle } from './support/live-updates.js';

const h = useServer();

/** Makes the app's bundles `seconds` older than they are. */
async function age(appUuid: string, seconds: number) {
  await h
    .em()
    .getConnection()
    .execute(`update bundles set created_at = created_at - ? * interval '1 second' where app = ?`, [seconds, appUuid]);
}

describe('retention', () => {
  it('deletes unlinked bundles older than the app’s retention with their files; linked and young ones stay', async () => {
    const { t, app } = await tenantWithApp(h);
    await call(h, 'put', `/app/${app.app_id}`, { key: t.key, body: { retention: 3600 } });
    await uploadedBundle(h, t.key, app.app_id, '1.0.0');
    await uploadedBundle(h, t.key, app.app_id, '1.1.0');
    await createChannelVia(h, t.key, { app_id: app.app_id, channel: 'production', version: '1.0.0' });
    await age(app.id, 7200);
    await uploadedBundle(h, t.key, app.app_id, '1.2.0');

    const result = await runRetention(h.em(), h.storage);
    expect(result.ran).toBe(true);
    const list = await call(h, 'get', `/bundle?app_id=${app.app_id}`, { key: t.key });
    expect(list.body.data.map((b: { name: string }) => b.name)).toEqual(['1.2.0', '1.0.0']);
    const state = await storedState(h, app.id);
    expect(state.rows).toEqual([
      { name: '1.0.0', deleted: false },
      { name: '1.1.0', deleted: true },
      { name: '1.2.0', deleted: false },
    ]);
    expect(state.objects).toHaveLength(2);
  });

  it('with retention 0 deletes every unlinked bundle, and last_version follows', async () => {
    const { t, app } = await tenantWithApp(h);
    await call(h, 'put', `/app/${app.app_id}`, { key: t.key, body: { retention: 0 } });
    await uploadedBundle(h, t.key, app.app_id, '1.0.0');
    await uploadedBundle(h, t.key, app.app_id, '1.1.0');
    await createChannelVia(h, t.key, { app_id: app.app_id, channel: 'production', version: '1.0.0' });
    await age(app.id, 1);
    await runRetention(h.em(), h.storage);
    expect((await call(h, 'get', `/app/${app.app_id}`, { key: t.key })).body.last_version).toBe('1.0.0');
    expect((await storedState(h, app.id)).objects).toHaveLength(1);
  });

  it('retries a file whose removal failed on the next run', async () => {
    const { t, app } = await tenantWithApp(h);
    await call(h, 'put', `/app/${app.app_id}`, { key: t.key, body: { retention: 0 } });
    await uploadedBundle(h, t.key, app.app_id, '1.0.0');
    await age(app.id, 1);
    const real = h.storage;
    const refusing: BundleStorage = Object.assign(Object.create(real) as BundleStorage, {
      remove: () => Promise.reject(new Error('storage unavailable')),
    });
    const first = await runRetention(h.em(), refusing);
    expect(first.bundlesDeleted).toBeGreaterThanOrEqual(1);
    expect(first.filesFailed).toBeGreaterThanOrEqual(1);
    expect((await storedState(h, app.id)).objects).toHaveLength(1);
    const [queued] = await h
      .em()
      .getConnection()
      .execute<{ attempts: number }[]>('select attempts from storage_removals where storage_key like ?', [
        `${app.id}/%`,
      ]);
    expect(queued).toEqual({ attempts: 1 });

    await runRetention(h.em(), real);
    expect(await storedState(h, app.id)).toEqual({ objects: [], rows: [{ name: '1.0.0', deleted: true }] });
    const left = await h
      .em()
      .getConnection()
      .execute('select * from storage_removals where storage_key like ?', [`${app.id}/%`]);
    expect(left).toEqual([]);
  });

  // Two replicas need two database sessions. The embedded database serves one session through a
  // pool of one connection, so there the lock holder below would wait for itself: this runs on
  // PostgreSQL (DATABASE_URL, as CI runs the suite).
  it.skipIf(inject('embedded'))('runs on one replica at a time (advisory lock)', async () => {
    const results = await Promise.all([runRetention(h.em(), h.storage), runRetention(h.em(), h.storage)]);
    expect(results.filter((result) => result.ran).length).toBeGreaterThanOrEqual(1);
    const locker = h.em();
    await locker.transactional(async (tx) => {
      // Another replica holds the lock for the length of this transaction.
      await tx.execute('select pg_advisory_xact_lock(?)', [RETENTION_LOCK.toString()]);
      const blocked = await runRetention(h.em(), h.storage);
      expect(blocked).toEqual({ ran: false, bundlesDeleted: 0, filesRemoved: 0, filesFailed: 0 });
    });
  });
});

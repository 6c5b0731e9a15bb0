/**
 * The device hot path in `pnpm bench`: `POST /updates` answered "no new version" and answered with
 * a bundle, as a phone sends it on every launch. A fresh device id per request, as in production
 * (every check also queues a device row for the service's telemetry batches).
 */
import { randomUUID } from 'node:crypto';
import type autocannon from 'autocannon';
import pg from 'pg';

export const BENCH_APP_ID = 'com.bench.updates';
const BUNDLE = '1.0.1';

export interface UpdatesDataset {
  appId: string;
  bundle: string;
}

/** One app with a public channel on one external bundle (stored bundles differ only by the URL signing). */
export async function seedUpdates(url: string, orgId: string, userId: string): Promise<UpdatesDataset> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ id: string }>(
      `insert into apps (id, app_id, app_id_key, name, icon_url, owner_org, user_id, created_at, updated_at)
       values (gen_random_uuid(), $1::text, lower($1::text), 'Bench updates', '', $2, $3, now(), now()) returning id`,
      [BENCH_APP_ID, orgId, userId],
    );
    const app = rows[0]?.id;
    const bundle = await client.query<{ id: number }>(
      `insert into bundles (app, name, checksum, storage, external_url, created_at, updated_at)
       values ($1, $2, $3, 'external', $4, now(), now()) returning id`,
      [app, BUNDLE, 'a'.repeat(64), `https://cdn.example.com/${BUNDLE}.zip`],
    );
    await client.query(
      `insert into channels (app, name, version, public, created_at, updated_at) values ($1, 'production', $2, true, now(), now())`,
      [app, bundle.rows[0]?.id],
    );
  } finally {
    await client.end();
  }
  return { appId: BENCH_APP_ID, bundle: BUNDLE };
}

/** The body `createInfoObject` builds, for a device running `versionName`. */
export function deviceBody(data: UpdatesDataset, versionName: string, deviceId: string = randomUUID()): string {
  return JSON.stringify({
    platform: 'android',
    device_id: deviceId,
    app_id: data.appId,
    custom_id: '',
    version_build: '1.0.0',
    version_code: '10',
    version_os: '14',
    version_name: versionName,
    plugin_version: '8.51.23',
    is_emulator: false,
    is_prod: true,
    install_source: 'com.android.vending',
    defaultChannel: '',
  });
}

/** The telemetry flush interval (1 s, src/jobs/device-telemetry.ts) and a margin for the write. */
const TELEMETRY_SETTLE_MS = 1_300;

export const updatesScenarios = (data: () => UpdatesDataset) => [
  {
    id: 'updates-none',
    name: 'POST /updates (up to date)',
    // The service writes its device telemetry once a second: this run's last batch counts for it.
    settleMs: TELEMETRY_SETTLE_MS,
    service: (): autocannon.Request => ({
      method: 'POST',
      path: '/updates',
      setupRequest: (req) => ({ ...req, body: deviceBody(data(), data().bundle) }),
    }),
  },
  {
    id: 'updates-new',
    name: 'POST /updates (update)',
    settleMs: TELEMETRY_SETTLE_MS,
    service: (): autocannon.Request => ({
      method: 'POST',
      path: '/updates',
      setupRequest: (req) => ({ ...req, body: deviceBody(data(), 'builtin') }),
    }),
  },
];

/** Both servers must give the same answers to the two bodies. */
export async function assertSameUpdateAnswers(urls: string[], data: UpdatesDataset): Promise<void> {
  for (const versionName of [data.bundle, 'builtin']) {
    const body = deviceBody(data, versionName, '00009a6b-eefe-490a-9c60-8e965132ae51');
    const answers = await Promise.all(
      urls.map(async (url) => {
        const res = await fetch(`${url}/updates`, {
          method: 'POST',
          body,
          headers: { 'content-type': 'application/json' },
        });
        return `${res.status} ${await res.text()}`;
      }),
    );
    if (new Set(answers).size !== 1)
      throw new Error(`service and baseline disagree on /updates:\n${answers.join('\n')}`);
  }
}

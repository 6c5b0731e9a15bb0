/**
 * The baseline's `POST /updates`: the same single lookup as the service (its statement, prepared),
 * a hand-written check of the fields the decision reads, and the same answers for the benchmarked
 * paths (same version, an update), with the checks those paths pass through. No framework, no
 * validation library, no ORM, no telemetry.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type pg from 'pg';
import { LOOKUP } from '../src/modules/plugin/update.repository.js';

interface Candidate {
  name: string;
  public: boolean;
  android: boolean;
  ios: boolean;
  electron: boolean;
  allow_device_self_set: boolean;
  allow_prod: boolean;
  allow_dev: boolean;
  allow_device: boolean;
  allow_emulator: boolean;
  disable_auto_update: string;
  disable_auto_update_under_native: boolean;
  bundle: { name: string; checksum: string; external_url: string | null; session_key: string | null } | null;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const SEMVER = /^(\d+)\.(\d+)\.(\d+)$/;

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
  res.end(JSON.stringify(body));
}

const refuse = (res: ServerResponse, error: string, message: string, kind: string, extra: object = {}) =>
  send(res, 200, { error, message, ...extra, kind });

export async function handleUpdates(pool: pg.Pool, prepared: boolean, req: IncomingMessage, res: ServerResponse) {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
  const deviceId = String(body.device_id).toLowerCase();
  const build = SEMVER.exec(String(body.version_build));
  if (!UUID.test(deviceId) || !build || typeof body.app_id !== 'string' || typeof body.plugin_version !== 'string') {
    return send(res, 400, { error: 'invalid_json_body', message: 'Cannot parse body' });
  }
  const versionName = body.version_name === 'builtin' ? body.version_build : body.version_name;
  const { rows } = await pool.query({
    ...(prepared ? { name: LOOKUP.name } : {}),
    text: LOOKUP.text,
    values: [body.app_id.toLowerCase(), deviceId, body.defaultChannel ?? '', body.platform],
  });
  const row = rows[0];
  if (!row) return send(res, 429, { error: 'on_premise_app', message: 'On-premise app detected' });
  const chosen = (row.override ?? row.fallback) as Candidate | null;
  if (!chosen) return refuse(res, 'no_channel', 'no default channel or override', 'failed');
  const bundle = chosen.bundle;
  if (!bundle) return send(res, 200, { version: 'builtin' });
  if (versionName === bundle.name)
    return refuse(res, 'no_new_version_available', 'No new version available', 'up_to_date');
  const target = SEMVER.exec(bundle.name);
  if (!chosen[body.platform as 'android']) return refuse(res, 'disabled_platform', 'disabled', 'blocked');
  if (target && chosen.disable_auto_update === 'major' && Number(target[1]) > Number(build[1])) {
    return refuse(res, 'disable_auto_update_to_major', 'Cannot upgrade major version', 'blocked');
  }
  if (!chosen.allow_prod && body.is_prod)
    return refuse(res, 'disable_prod_build', 'Cannot update, prod build is disabled', 'blocked');
  send(res, 200, {
    version: bundle.name,
    url: bundle.external_url,
    checksum: bundle.checksum,
    session_key: bundle.session_key ?? '',
  });
}

import type { PluginRefusal, RevertToBuiltin, UpdateAvailable } from '@apps-api/contract';
import { readUpdateCheck } from './plugin.body.js';
import { deviceSeen, type PluginDeps, sharedEm } from './plugin.deps.js';
import { onPremiseApp, refusal } from './plugin.errors.js';
import { decideUpdate } from './update.decision.js';
import { lookupUpdate } from './update.repository.js';

const isHttpUrl = (url: string) => url.startsWith('https://') || url.startsWith('http://');

/**
 * `POST /updates`: read the body (§1.2), one database read, the decision (§1.3), the download URL
 * (§1.4). The device row, the `get` event and the day's counters are queued, written after the answer.
 */
export async function checkForUpdate(
  deps: PluginDeps,
  body: unknown,
): Promise<UpdateAvailable | RevertToBuiltin | PluginRefusal> {
  const request = readUpdateCheck(body);
  deps.rateLimit.hit('updates', request.app_id, request.device_id);
  const found = await lookupUpdate(sharedEm(deps.runtime), {
    appId: request.app_id,
    deviceId: request.device_id,
    defaultChannel: request.defaultChannel ?? '',
    platform: request.platform,
  });
  if (!found) throw onPremiseApp();

  const now = new Date();
  deps.telemetry.seen(deviceSeen(found.app, request, now));
  const checked = (offered: boolean) => deps.telemetry.updateCheck(found.app, offered, now);

  const decision = decideUpdate(request, found.candidates);
  if (decision.type !== 'update') {
    checked(false);
    return decision.type === 'refuse' ? decision.answer : { version: 'builtin' };
  }
  const { bundle } = decision;
  const storage = deps.runtime.storage;
  // Presigned S3, or the server's signed /files route: valid 24 h.
  const url =
    bundle.external_url ?? (storage && bundle.storage_key ? await storage.downloadUrl(bundle.storage_key) : '');
  if (!isHttpUrl(url)) {
    checked(false);
    return refusal('no_bundle_url', 'Cannot get bundle url');
  }
  checked(true);
  deps.telemetry.event({
    app: found.app,
    deviceId: request.device_id,
    action: 'get',
    versionName: bundle.name,
    oldVersionName: null,
    metadata: null,
    receivedAt: now,
  });
  return { version: bundle.name, url, checksum: bundle.checksum, session_key: bundle.session_key ?? '' };
}

import type { PluginRefusal, StatsAccepted, StatsResult } from '@apps-api/contract';
import { PLUGIN_APP_ID_PATTERN, STATS_BATCH_MAX } from '@apps-api/contract';
import type { EntityManager } from '@mikro-orm/postgresql';
import { queryRows, type Statement } from '../../db/raw.js';
import { readStatsEvent, type StatsEvent } from './plugin.body.js';
import { deviceSeen, type PluginDeps, sharedEm } from './plugin.deps.js';
import { PluginBadRequestError, cannotParseBody, onPremiseApp, refusal } from './plugin.errors.js';

const APP_BY_ID: Statement = { name: 'plugin_app_by_app_id', text: 'select id from apps where app_id_key = $1' };

/** The app's internal id, or undefined: every device route asks it first. */
export async function findAppId(em: EntityManager, appId: string): Promise<string | undefined> {
  const [row] = await queryRows<{ id: string }>(em, APP_BY_ID, [appId.toLowerCase()]);
  return row?.id;
}

const appIdOf = (event: unknown) => (event as { app_id?: unknown } | null | undefined)?.app_id;

/** Why a batch's `app_id` is unusable, as Capgo words it; undefined when it is fine. */
function appIdProblem(appId: unknown): string | undefined {
  if (!appId || typeof appId !== 'string') return 'App ID is required';
  if (!PLUGIN_APP_ID_PATTERN.test(appId)) return 'App ID must be a reverse domain string';
  return undefined;
}

/** Queues what one valid event leaves: the device row, the event, the day's counters. */
function record(deps: PluginDeps, app: string, event: StatsEvent, at: Date): void {
  const failure = event.action?.endsWith('_fail') ?? false;
  const versionName = event.onBuiltin ? 'builtin' : event.version_name;
  deps.telemetry.seen(deviceSeen(app, event, at, versionName), failure);
  if (!event.action) return;
  deps.telemetry.event({
    app,
    deviceId: event.device_id,
    action: event.action,
    versionName,
    oldVersionName: event.old_version_name || null,
    metadata: event.metadata ?? null,
    receivedAt: at,
  });
}

/**
 * `POST /stats` (reference sheet §2): one event or a batch sharing one app. Every valid event is
 * stored with its version as sent (no `version_not_found`), written after the answer.
 */
export async function sendStats(deps: PluginDeps, body: unknown): Promise<StatsAccepted | PluginRefusal> {
  const batch = Array.isArray(body);
  const events: unknown[] = batch ? body : [body];
  if (batch && events.length === 0) return { status: 'ok', results: [] };
  // Bounded before any per-event work; the plugin sends at most 200.
  if (events.length > STATS_BATCH_MAX) throw cannotParseBody();
  const firstAppId = appIdOf(events[0]);
  const problem = appIdProblem(firstAppId);
  if (problem) throw new PluginBadRequestError('invalid_app_id', problem);
  for (const event of events.slice(1)) {
    const later = appIdProblem(appIdOf(event));
    if (later) return refusal('invalid_app_id', later);
    if (appIdOf(event) !== firstAppId)
      return refusal('mixed_app_ids', 'All events in a batch must have the same app_id');
  }

  if (!batch) {
    const event = readStatsEvent(events[0]);
    deps.rateLimit.hit('stats', event.app_id, event.device_id);
    const app = await findAppId(sharedEm(deps.runtime), event.app_id);
    if (!app) throw onPremiseApp();
    record(deps, app, event, new Date());
    return { status: 'ok' };
  }

  const deviceId = (events[0] as { device_id?: unknown }).device_id;
  if (typeof deviceId === 'string') deps.rateLimit.hit('stats', firstAppId as string, deviceId.toLowerCase());
  const app = await findAppId(sharedEm(deps.runtime), firstAppId as string);
  const now = new Date();
  const results: StatsResult[] = events.map((item, index) => {
    try {
      const event = readStatsEvent(item);
      if (!app) return { status: 'error', error: 'on_premise_app', message: 'On-premise app detected', index };
      record(deps, app, event, now);
      return { status: 'ok', index };
    } catch (error) {
      if (!(error instanceof PluginBadRequestError)) throw error;
      return { status: 'error', error: error.code, message: error.message, index };
    }
  });
  return { status: 'ok', results };
}

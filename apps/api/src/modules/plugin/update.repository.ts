import type { EntityManager } from '@mikro-orm/postgresql';
import { queryRows, type Statement } from '../../db/raw.js';
import type { Platform } from './plugin.body.js';
import type { BundleTarget, Candidate, Candidates, ChannelPolicy } from './update.decision.js';

/**
 * The one database read of `POST /updates`, hand-written because every app launch of every device
 * runs it: the app, the device's override and the `defaultChannel`/public channel, each with its
 * bundle, in one round trip. A channel whose bundle was deleted does not count (§1.3 step 3).
 */
const CANDIDATE = `json_build_object(
    'id', c.id, 'name', c.name, 'public', c.public, 'ios', c.ios, 'android', c.android, 'electron', c.electron,
    'allow_device_self_set', c.allow_device_self_set, 'allow_emulator', c.allow_emulator,
    'allow_device', c.allow_device, 'allow_dev', c.allow_dev, 'allow_prod', c.allow_prod,
    'disable_auto_update', c.disable_auto_update,
    'disable_auto_update_under_native', c.disable_auto_update_under_native,
    'bundle', case when b.id is null then null else json_build_object(
      'id', b.id, 'name', b.name, 'checksum', b.checksum, 'storage', b.storage, 'storage_key', b.storage_key,
      'external_url', b.external_url, 'session_key', b.session_key, 'key_id', b.key_id,
      'min_update_version', b.min_update_version) end)`;

export const LOOKUP: Statement = {
  name: 'plugin_update_lookup',
  text: `
  select a.id as app, o.candidate as override, f.candidate as fallback
  from apps a
  left join lateral (
    select ${CANDIDATE} as candidate
    from channel_devices d
    join channels c on c.id = d.channel
    left join bundles b on b.id = c.version and b.deleted_at is null
    where d.app = a.id and d.device_id = $2 and (c.version is null or b.id is not null)
  ) o on true
  left join lateral (
    select ${CANDIDATE} as candidate
    from channels c
    left join bundles b on b.id = c.version and b.deleted_at is null
    where c.app = a.id
      and (c.version is null or b.id is not null)
      and case $4::text when 'ios' then c.ios when 'android' then c.android else c.electron end
      and case when $3::text = '' then c.public else c.name = $3::text and (c.public or c.allow_device_self_set) end
    order by c.name, c.id
    limit 1
  ) f on true
  where a.app_id_key = $1`,
};

type CandidateRow = ChannelPolicy & { bundle: BundleTarget | null };

export interface UpdateLookup {
  /** The app's internal id. */
  app: string;
  candidates: Candidates;
}

const toCandidate = (row: CandidateRow | null): Candidate | null => {
  if (!row) return null;
  const { bundle, ...channel } = row;
  return { channel, bundle };
};

/** Undefined when no app has this id. */
export async function lookupUpdate(
  em: EntityManager,
  input: { appId: string; deviceId: string; defaultChannel: string; platform: Platform },
): Promise<UpdateLookup | undefined> {
  const [row] = await queryRows<{ app: string; override: CandidateRow | null; fallback: CandidateRow | null }>(
    em,
    LOOKUP,
    [input.appId.toLowerCase(), input.deviceId, input.defaultChannel, input.platform],
  );
  if (!row) return undefined;
  return { app: row.app, candidates: { override: toCandidate(row.override), fallback: toCandidate(row.fallback) } };
}

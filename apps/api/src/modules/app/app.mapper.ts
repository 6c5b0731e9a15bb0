import type { App as AppBody } from '@apps-api/contract';
import type { AppRecord } from './app.record.js';

/** The wire shape of an app (SPEC §1), field for field. */
export function toAppBody(app: AppRecord): AppBody {
  return {
    app_id: app.appId,
    id: app.id,
    name: app.name,
    icon_url: app.iconUrl,
    owner_org: app.ownerOrg,
    user_id: app.userId ?? null,
    default_upload_channel: app.defaultUploadChannel,
    retention: app.retention,
    last_version: app.lastVersion ?? null,
    transfer_history: app.transferHistory ?? null,
    created_at: app.createdAt.toISOString(),
    updated_at: app.updatedAt.toISOString(),
  };
}

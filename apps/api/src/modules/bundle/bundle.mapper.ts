import type { Bundle as BundleBody } from '@apps-api/contract';
import type { Bundle } from './bundle.entity.js';

/** The wire shape of a bundle (SPEC-live-updates §1), field for field. */
export function toBundleBody(bundle: Bundle, appId: string): BundleBody {
  return {
    id: bundle.id,
    app_id: appId,
    name: bundle.name,
    checksum: bundle.checksum,
    storage: bundle.storage,
    external_url: bundle.externalUrl ?? null,
    size: bundle.size ?? null,
    session_key: bundle.sessionKey ?? null,
    key_id: bundle.keyId ?? null,
    min_update_version: bundle.minUpdateVersion ?? null,
    link: bundle.link ?? null,
    comment: bundle.comment ?? null,
    user_id: bundle.userId ?? null,
    created_at: bundle.createdAt.toISOString(),
    updated_at: bundle.updatedAt.toISOString(),
  };
}

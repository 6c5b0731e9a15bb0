import type { ApiKey as ApiKeyBody } from '@apps-api/contract';
import type { ApiKey } from './apikey.entity.js';

/** The wire shape of a key: never the secret, never the hash. */
export function toApiKeyBody(key: ApiKey): ApiKeyBody {
  return {
    id: key.id,
    name: key.name,
    mode: key.mode,
    limited_to_orgs: key.limitedToOrgs,
    limited_to_apps: key.limitedToApps,
    expires_at: key.expiresAt?.toISOString() ?? null,
    last_used_at: key.lastUsedAt?.toISOString() ?? null,
    created_at: key.createdAt.toISOString(),
    hint: key.hint,
  };
}

import { Migration20261129000000_initial } from './Migration20261129000000_initial.js';
import { Migration20261201000000_rate_limits } from './Migration20261201000000_rate_limits.js';
import { Migration20261203000000_invitations } from './Migration20261203000000_invitations.js';
import { Migration20261203000000_live_updates } from './Migration20261203000000_live_updates.js';
import { Migration20261203120000_device_day_counts } from './Migration20261203120000_device_day_counts.js';
import { Migration20261203171116_telemetry_app_trigger } from './Migration20261203171116_telemetry_app_trigger.js';

/** Every migration, oldest first. Listed here (migration:create adds each new one) so the runtime never scans folders. */
export const migrationsList = [
  { name: 'Migration20261129000000_initial', class: Migration20261129000000_initial },
  { name: 'Migration20261201000000_rate_limits', class: Migration20261201000000_rate_limits },
  { name: 'Migration20261203000000_invitations', class: Migration20261203000000_invitations },
  { name: 'Migration20261203000000_live_updates', class: Migration20261203000000_live_updates },
  { name: 'Migration20261203120000_device_day_counts', class: Migration20261203120000_device_day_counts },
  { name: 'Migration20261203171116_telemetry_app_trigger', class: Migration20261203171116_telemetry_app_trigger },
];

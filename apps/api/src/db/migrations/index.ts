import { Migration20261129000000_initial } from './Migration20261129000000_initial.js';
import { Migration20261201000000_rate_limits } from './Migration20261201000000_rate_limits.js';
import { Migration20261203000000_live_updates } from './Migration20261203000000_live_updates.js';

/** Every migration, oldest first. Listed by hand so the runtime never scans folders. */
export const migrationsList = [
  { name: 'Migration20261129000000_initial', class: Migration20261129000000_initial },
  { name: 'Migration20261201000000_rate_limits', class: Migration20261201000000_rate_limits },
  { name: 'Migration20261203000000_live_updates', class: Migration20261203000000_live_updates },
];

import { Migration20261129000000_initial } from './Migration20261129000000_initial.js';

/** Every migration, oldest first. Listed by hand so the runtime never scans folders. */
export const migrationsList = [{ name: 'Migration20261129000000_initial', class: Migration20261129000000_initial }];

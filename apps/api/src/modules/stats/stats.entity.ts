import { type InferEntity, defineEntity, p } from '@mikro-orm/core';
import { App } from '../app/app.entity.js';

/**
 * Daily counters per app (UTC days). Writers add to them with an upsert, never read-modify-write,
 * so batches from any number of replicas add up: see stats.writer.ts for the rule.
 */
export const AppStatsDaily = defineEntity({
  name: 'AppStatsDaily',
  tableName: 'app_stats_daily',
  properties: {
    app: p.manyToOne(App).mapToPk().primary().fieldName('app').deleteRule('cascade'),
    day: p.date().primary(),
    /** Distinct devices seen that day: a device adds 1 with its first sighting of the day. */
    devices: p.integer().default(0),
    updateChecks: p.integer().default(0),
    updatesOffered: p.integer().default(0),
    installs: p.integer().default(0),
    failures: p.integer().default(0),
  },
  primaryKeys: ['app', 'day'],
  checks: [
    {
      name: 'app_stats_daily_counts_check',
      expression:
        'devices >= 0 and update_checks >= 0 and updates_offered >= 0 and installs >= 0 and failures >= 0',
    },
  ],
});

export type AppStatsDaily = InferEntity<typeof AppStatsDaily>;

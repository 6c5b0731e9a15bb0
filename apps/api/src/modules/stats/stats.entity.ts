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
    updateChecks: p.integer().default(0),
    updatesOffered: p.integer().default(0),
    installs: p.integer().default(0),
    failures: p.integer().default(0),
  },
  primaryKeys: ['app', 'day'],
  checks: [
    {
      name: 'app_stats_daily_counts_check',
      expression: 'update_checks >= 0 and updates_offered >= 0 and installs >= 0 and failures >= 0',
    },
  ],
});

export type AppStatsDaily = InferEntity<typeof AppStatsDaily>;

/** Which devices were seen on which UTC day: its primary key makes "distinct devices" an insert-or-ignore. */
export const DeviceDay = defineEntity({
  name: 'DeviceDay',
  tableName: 'device_days',
  properties: {
    app: p.manyToOne(App).mapToPk().primary().fieldName('app').deleteRule('cascade'),
    day: p.date().primary(),
    deviceId: p.string().length(36).primary(),
  },
  primaryKeys: ['app', 'day', 'deviceId'],
});

export type DeviceDay = InferEntity<typeof DeviceDay>;

import { type DailyStatistics, STATISTICS_MAX_DAYS } from '@apps-api/contract';
import type { EntityManager } from '@mikro-orm/postgresql';
import { invalidParameters } from '../../common/errors.js';
import type { Principal } from '../../common/rights.js';
import { runSql } from '../../db/sql.js';
import { loadAppWithRight } from '../channel/channel.service.js';
import { DAY_MS } from './stats.writer.js';

/** One row per UTC day from `from` to `to`, zeros for quiet days. */
export async function getStatistics({
  em,
  principal,
  appId,
  from,
  to,
}: {
  em: EntityManager;
  principal: Principal;
  appId: string;
  from: string;
  to: string;
}): Promise<DailyStatistics[]> {
  const days = (Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / DAY_MS + 1;
  if (days < 1) throw invalidParameters([{ path: 'to', message: 'Must not be before from' }]);
  if (days > STATISTICS_MAX_DAYS) {
    throw invalidParameters([{ path: 'to', message: `The range must be at most ${STATISTICS_MAX_DAYS} days` }]);
  }
  const app = await loadAppWithRight(em, principal, appId, 'read');
  return runSql<DailyStatistics>(
    em,
    `select to_char(d.day, 'YYYY-MM-DD') as date,
       coalesce(s.devices, 0) as devices, coalesce(s.update_checks, 0) as update_checks, coalesce(s.updates_offered, 0) as updates_offered,
       coalesce(s.installs, 0) as installs, coalesce(s.failures, 0) as failures
     from generate_series($2::date, $3::date, interval '1 day') as g(day)
     cross join lateral (select g.day::date as day) d
     left join app_stats_daily s on s.app = $1 and s.day = d.day
     order by d.day`,
    [app.id, from, to],
  );
}

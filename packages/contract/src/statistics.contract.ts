import { initContract } from '@ts-rest/core';
import { z } from 'zod';
import { AuthHeaders, authErrorResponses } from './common.js';
import { ErrorBody } from './errors.js';
import { AppIdField } from './live-update.common.js';

const c = initContract();

export const STATISTICS_MAX_DAYS = 366;

const isCalendarDate = (value: string) => {
  const date = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().slice(0, 10) === value;
};

export const CalendarDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'Must be a date as YYYY-MM-DD')
  .refine((value) => !/^\d{4}-\d{2}-\d{2}$/.test(value) || isCalendarDate(value), 'Must be a real calendar date')
  .describe('A UTC day, `YYYY-MM-DD`.');

export const DailyStatistics = z
  .object({
    date: z.string().describe('The UTC day, `YYYY-MM-DD`.'),
    devices: z.number().int().describe('Distinct devices that made any device request that day.'),
    update_checks: z.number().int().describe('`/updates` requests answered.'),
    updates_offered: z.number().int().describe('`/updates` answers that offered a bundle to download.'),
    installs: z.number().int().describe('`set` events received from `/stats`.'),
    failures: z.number().int().describe('`/stats` events whose action ends in `_fail`.'),
  })
  .describe('What devices did on one UTC day.');

export const StatisticsList = z
  .object({ data: z.array(DailyStatistics) })
  .describe('One row per day from `from` to `to`, oldest first; days without activity have zeros.');

export const GetStatisticsQuery = z.object({
  app_id: AppIdField,
  from: CalendarDate.describe('First UTC day, `YYYY-MM-DD`.'),
  to: CalendarDate.describe(
    `Last UTC day, \`YYYY-MM-DD\`, not before \`from\`; at most ${STATISTICS_MAX_DAYS} days in all.`,
  ),
});

export type DailyStatistics = z.infer<typeof DailyStatistics>;
export type StatisticsList = z.infer<typeof StatisticsList>;
export type GetStatisticsQuery = z.infer<typeof GetStatisticsQuery>;

export const statisticsContract = c.router(
  {
    getStatistics: {
      method: 'GET',
      path: '/statistics',
      query: GetStatisticsQuery,
      summary: 'Daily statistics of an app',
      description: `Daily figures from \`from\` to \`to\` inclusive (UTC days, at most ${STATISTICS_MAX_DAYS}; \`to\` before \`from\` or a longer range is a 400 on \`to\`). Device telemetry is written in batches, so the last second of activity may not show yet.`,
      responses: {
        200: StatisticsList,
        400: ErrorBody.describe('Invalid query or range (`invalid_parameters`).'),
        404: ErrorBody.describe('No such app visible to the key (`app_not_found`).'),
        ...authErrorResponses,
      },
    },
  },
  { baseHeaders: AuthHeaders, strictStatusCodes: true },
);

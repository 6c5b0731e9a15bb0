import { StatisticsListToJSON } from '@apps-api/client';
import { type Command, type Context, text } from '../context.js';
import { UsageError } from '../errors.js';
import { type Result, table } from '../output.js';

function day(context: Context, name: string): string {
  const value = text(context, name);
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value))
    throw new UsageError(`--${name} must be a UTC day as YYYY-MM-DD, got ${JSON.stringify(value)}`);
  return value;
}

async function stats(context: Context): Promise<Result> {
  const appId = text(context, 'app');
  const answer = await context.client().statistics.getStatistics({
    app_id: appId,
    from: day(context, 'from'),
    to: day(context, 'to'),
  });
  const columns = ['date', 'devices', 'update_checks', 'updates_offered', 'installs', 'failures'] as const;
  const rows = answer.data.map((row) => columns.map((column) => row[column]));
  return { value: StatisticsListToJSON(answer), text: table([...columns], rows) };
}

export const statsCommands: Command[] = [
  {
    words: ['stats'],
    positionals: [],
    summary: 'Daily statistics of an app (UTC days, at most 366): devices seen, update checks, installs, failures.',
    options: {
      app: { type: 'string', placeholder: 'app_id', required: true, description: 'the app, such as com.example.app' },
      from: { type: 'string', placeholder: 'YYYY-MM-DD', required: true, description: 'first day' },
      to: { type: 'string', placeholder: 'YYYY-MM-DD', required: true, description: 'last day' },
    },
    run: stats,
  },
];

import { cpus, loadavg, totalmem } from 'node:os';

export interface Measurement {
  /** Stable scenario key: get, list-first, list-middle, list-deep, update, create. */
  id: string;
  scenario: string;
  /** 0-based; each round measures both servers, alternating which goes first. */
  round: number;
  server: 'service' | 'baseline';
  requestsPerSecond: number;
  p50: number;
  p99: number;
  /** Socket errors, timeouts and non-2xx answers. */
  errors: number;
  total: number;
  maxRssBytes: number;
  /** The server process's own CPU time (user + system) per request: less sensitive to a busy machine than req/s. */
  cpuMicrosPerRequest: number;
  /**
   * CPU time of the local PostgreSQL's processes per request, over the run and the writes it left
   * to settle (the service's device telemetry); undefined when the database is not on this machine.
   */
  databaseCpuMicrosPerRequest: number | undefined;
  /** 1-minute load average right before the run. */
  load: number;
}

export interface Report {
  startedAt: Date;
  command: string;
  settings: string;
  postgres: string;
  dataset: string;
  ready: { service: number; baseline: number };
  readyCpu: { service: number; baseline: number };
  idleRss: { service: number; baseline: number };
  loadBefore: string;
  loadAfter: string;
  measurements: Measurement[];
  /** Database statements per GET /app/:app_id on the service, counted by a proxy (bench/statement-counter.ts). */
  statements: { requests: number; perRequest: number; writesPerRequest: number };
}

const mb = (bytes: number) => (bytes / 1024 / 1024).toFixed(0);
const fixed = (value: number, digits = 1) => value.toFixed(digits);

export const loadNow = () =>
  loadavg()
    .map((value) => value.toFixed(2))
    .join(' ');

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  if (sorted.length === 0) return Number.NaN;
  return sorted.length % 2
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

/** One scenario and server over all rounds: medians of each figure. */
interface Summary {
  id: string;
  scenario: string;
  server: Measurement['server'];
  rounds: Measurement[];
  requestsPerSecond: number;
  p50: number;
  p99: number;
  cpuMicrosPerRequest: number;
  databaseCpuMicrosPerRequest: number | undefined;
  maxRssBytes: number;
  errors: number;
  total: number;
}

function summarise(report: Report): Summary[] {
  const groups = new Map<string, Measurement[]>();
  for (const m of report.measurements) {
    const key = `${m.id}\u0000${m.server}`;
    groups.set(key, [...(groups.get(key) ?? []), m]);
  }
  return [...groups.values()].map((rounds) => {
    const first = rounds[0] as Measurement;
    return {
      id: first.id,
      scenario: first.scenario,
      server: first.server,
      rounds,
      requestsPerSecond: median(rounds.map((m) => m.requestsPerSecond)),
      p50: median(rounds.map((m) => m.p50)),
      p99: median(rounds.map((m) => m.p99)),
      cpuMicrosPerRequest: median(rounds.map((m) => m.cpuMicrosPerRequest)),
      databaseCpuMicrosPerRequest: rounds.every((m) => m.databaseCpuMicrosPerRequest !== undefined)
        ? median(rounds.map((m) => m.databaseCpuMicrosPerRequest as number))
        : undefined,
      maxRssBytes: Math.max(...rounds.map((m) => m.maxRssBytes)),
      errors: rounds.reduce((sum, m) => sum + m.errors, 0),
      total: rounds.reduce((sum, m) => sum + m.total, 0),
    };
  });
}

/** service/baseline req/s of each round (both measured back to back), then their median and spread. */
export function ratioOf(report: Report, id: string): { median: number; min: number; max: number; rounds: number[] } {
  const of = (server: Measurement['server']) => report.measurements.filter((m) => m.id === id && m.server === server);
  const baseline = of('baseline');
  const rounds = of('service').flatMap((m) => {
    const pair = baseline.find((b) => b.round === m.round);
    return pair ? [m.requestsPerSecond / pair.requestsPerSecond] : [];
  });
  return { median: median(rounds), min: Math.min(...rounds), max: Math.max(...rounds), rounds };
}

function rows(report: Report): string[][] {
  const header = [
    'scenario',
    'server',
    'CPU µs/req',
    'DB CPU µs/req',
    'req/s',
    'p50 ms',
    'p99 ms',
    'errors',
    'max RSS MB',
    'req/s service/baseline: median [min–max]',
    'load',
  ];
  const body = summarise(report).map((m) => {
    const ratio = ratioOf(report, m.id);
    return [
      m.scenario,
      m.server,
      fixed(m.cpuMicrosPerRequest, 0),
      m.databaseCpuMicrosPerRequest === undefined ? '–' : fixed(m.databaseCpuMicrosPerRequest, 0),
      fixed(m.requestsPerSecond, 0),
      fixed(m.p50),
      fixed(m.p99),
      `${m.errors}/${m.total}`,
      mb(m.maxRssBytes),
      m.server === 'service' ? `${fixed(ratio.median, 2)} [${fixed(ratio.min, 2)}–${fixed(ratio.max, 2)}]` : '',
      m.rounds.map((r) => fixed(r.load, 1)).join(' '),
    ];
  });
  return [header, ...body];
}

function find(report: Report, id: string, server: Measurement['server']): Summary | undefined {
  return summarise(report).find((m) => m.id === id && m.server === server);
}

/** The targets, each with the measured value and whether it is met. */
export function targets(report: Report): { name: string; value: string; met: boolean }[] {
  const first = find(report, 'list-first', 'service');
  const deepest = ['list-middle', 'list-deep']
    .map((id) => find(report, id, 'service'))
    .filter((m): m is Summary => m !== undefined);
  const rss = Math.max(0, ...report.measurements.filter((m) => m.server === 'service').map((m) => m.maxRssBytes));
  const deepRatio =
    deepest.length > 0 && first ? Math.max(...deepest.map((m) => m.p50)) / first.p50 : Number.POSITIVE_INFINITY;
  /** Service req/s ≥ 80% of the baseline's, median of the rounds (issue 15 for GET, issue 12 for /updates). */
  const ratioTargets = (['get', 'updates-none', 'updates-new'] as const).flatMap((id) => {
    const measured = find(report, id, 'service');
    if (!measured) return [];
    const ratio = ratioOf(report, id);
    const median = Number.isNaN(ratio.median) ? 0 : ratio.median;
    return [
      {
        name: `${measured.scenario} req/s ≥ 80% of baseline (median of the rounds)`,
        value: `${fixed(median * 100, 0)}% [${fixed(ratio.min * 100, 0)}–${fixed(ratio.max * 100, 0)}%]`,
        met: median >= 0.8,
      },
    ];
  });
  return [
    ...ratioTargets,
    {
      name: 'no write on a read: database writes per GET /app/:app_id ≤ 0.05',
      value: `${fixed(report.statements.writesPerRequest, 3)} (statements ${fixed(report.statements.perRequest, 3)})`,
      met: report.statements.writesPerRequest <= 0.05,
    },
    ...(first && deepest.length > 0
      ? [
          {
            name: 'deep list pages (middle, last) p50 ≤ 1.5 × page 0 p50',
            value: `${fixed(deepRatio, 2)}×`,
            met: deepRatio <= 1.5,
          },
        ]
      : []),
    {
      name: 'ready (spawn → /readyz 200) ≤ 1.5 s',
      value: `${fixed(report.ready.service, 0)} ms`,
      met: report.ready.service <= 1500,
    },
    { name: 'service RSS under load ≤ 250 MB', value: `${mb(rss)} MB`, met: rss <= 250 * 1024 * 1024 },
  ];
}

function table(cells: string[][], markdown: boolean): string {
  const widths = cells[0]?.map((_, column) => Math.max(...cells.map((row) => row[column]?.length ?? 0))) ?? [];
  const line = (row: string[]) => row.map((cell, column) => cell.padEnd(widths[column] ?? 0)).join(' | ');
  const [header = [], ...body] = cells;
  const rule = widths.map((width) => '-'.repeat(width)).join(markdown ? ' | ' : '-+-');
  const wrap = (text: string) => (markdown ? `| ${text} |` : text);
  return [wrap(line(header)), wrap(rule), ...body.map((row) => wrap(line(row)))].join('\n');
}

export function machineFacts(): string {
  const cpu = cpus();
  return `${cpu.length} × ${cpu[0]?.model ?? 'unknown CPU'}, ${mb(totalmem())} MB RAM, Node ${process.version}, ${process.platform}`;
}

export function toText(report: Report): string {
  const lines = [
    table(rows(report), false),
    '',
    `database statements per GET /app/:app_id (default rate limits, counting proxy, ${report.statements.requests} requests): ${fixed(report.statements.perRequest, 3)}, of which writes ${fixed(report.statements.writesPerRequest, 3)}`,
    `ready: service ${fixed(report.ready.service, 0)} ms (${fixed(report.readyCpu.service, 0)} ms CPU), baseline ${fixed(report.ready.baseline, 0)} ms (${fixed(report.readyCpu.baseline, 0)} ms CPU); idle RSS: service ${mb(report.idleRss.service)} MB, baseline ${mb(report.idleRss.baseline)} MB`,
    `load average (1/5/15 min): before ${report.loadBefore}, after ${report.loadAfter}`,
    '',
    ...targets(report).map((t) => `${t.met ? 'MET    ' : 'NOT MET'}  ${t.name}: ${t.value}`),
  ];
  return lines.join('\n');
}

export function toMarkdown(report: Report): string {
  return [
    '# Benchmark results',
    '',
    'Written by `pnpm bench` (apps/api/bench/run.ts); every run replaces this file.',
    '',
    `- date: ${report.startedAt.toISOString()}`,
    `- command: \`${report.command}\``,
    `- machine: ${machineFacts()}`,
    `- database: ${report.postgres}`,
    `- dataset: ${report.dataset}`,
    `- settings: ${report.settings}`,
    `- load average (1/5/15 min): before ${report.loadBefore}, after ${report.loadAfter} (the machine may be shared: compare service and baseline within one run)`,
    '',
    table(rows(report), true),
    '',
    `Ready (process spawn → first \`/readyz\` 200): service ${fixed(report.ready.service, 0)} ms (${fixed(report.readyCpu.service, 0)} ms of CPU), baseline ${fixed(report.ready.baseline, 0)} ms (${fixed(report.readyCpu.baseline, 0)} ms of CPU).`,
    'CPU µs/req (the primary figure) is the server process’s own CPU time per request; unlike req/s it hardly depends on what else the machine runs. `DB CPU µs/req` is what the local PostgreSQL spent per request (its own processes, which share this machine’s cores with both servers): it includes the writes the service defers, such as device telemetry. Every figure is the median of the rounds; the ratio is taken within each round (both servers back to back) and its median and spread are shown; `load` is the 1-minute load average before each round.',
    '',
    `Database statements per GET /app/:app_id (default rate limits, counted by a proxy over ${report.statements.requests} requests): ${fixed(report.statements.perRequest, 3)}, of which writes ${fixed(report.statements.writesPerRequest, 3)}.`,
    `Idle RSS after start: service ${mb(report.idleRss.service)} MB, baseline ${mb(report.idleRss.baseline)} MB.`,
    '',
    '## Targets',
    '',
    ...targets(report).map((t) => `- ${t.met ? '✅' : '❌'} ${t.name}: ${t.value}`),
    '',
  ].join('\n');
}

import { cpus, loadavg, totalmem } from 'node:os';

export interface Measurement {
  /** Stable scenario key: get, list-first, list-middle, list-deep, update, create. */
  id: string;
  scenario: string;
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
}

const mb = (bytes: number) => (bytes / 1024 / 1024).toFixed(0);
const fixed = (value: number, digits = 1) => value.toFixed(digits);

export const loadNow = () =>
  loadavg()
    .map((value) => value.toFixed(2))
    .join(' ');

function rows(report: Report): string[][] {
  const header = [
    'scenario',
    'server',
    'req/s',
    'p50 ms',
    'p99 ms',
    'errors',
    'max RSS MB',
    'CPU µs/req',
    'req/s service/baseline',
    'load',
  ];
  const body = report.measurements.map((m) => {
    const baseline = report.measurements.find((other) => other.scenario === m.scenario && other.server === 'baseline');
    const ratio = m.server === 'service' && baseline ? fixed(m.requestsPerSecond / baseline.requestsPerSecond, 2) : '';
    return [
      m.scenario,
      m.server,
      fixed(m.requestsPerSecond, 0),
      fixed(m.p50),
      fixed(m.p99),
      `${m.errors}/${m.total}`,
      mb(m.maxRssBytes),
      fixed(m.cpuMicrosPerRequest, 0),
      ratio,
      fixed(m.load, 2),
    ];
  });
  return [header, ...body];
}

function find(report: Report, id: string, server: Measurement['server']): Measurement | undefined {
  return report.measurements.find((m) => m.id === id && m.server === server);
}

/** The targets, each with the measured value and whether it is met. */
export function targets(report: Report): { name: string; value: string; met: boolean }[] {
  const getService = find(report, 'get', 'service');
  const getBaseline = find(report, 'get', 'baseline');
  const first = find(report, 'list-first', 'service');
  const deepest = ['list-middle', 'list-deep']
    .map((id) => find(report, id, 'service'))
    .filter((m): m is Measurement => m !== undefined);
  const rss = Math.max(0, ...report.measurements.filter((m) => m.server === 'service').map((m) => m.maxRssBytes));
  const getRatio = getService && getBaseline ? getService.requestsPerSecond / getBaseline.requestsPerSecond : 0;
  const deepRatio =
    deepest.length > 0 && first ? Math.max(...deepest.map((m) => m.p50)) / first.p50 : Number.POSITIVE_INFINITY;
  return [
    { name: 'GET /app/:app_id req/s ≥ 60% of baseline', value: `${fixed(getRatio * 100, 0)}%`, met: getRatio >= 0.6 },
    {
      name: 'deep list pages (middle, last) p50 ≤ 1.5 × page 0 p50',
      value: `${fixed(deepRatio, 2)}×`,
      met: deepRatio <= 1.5,
    },
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
    'CPU µs/req is the server process’s own CPU time per request; unlike req/s it hardly depends on what else the machine runs.',
    `Idle RSS after start: service ${mb(report.idleRss.service)} MB, baseline ${mb(report.idleRss.baseline)} MB.`,
    '',
    '## Targets',
    '',
    ...targets(report).map((t) => `- ${t.met ? '✅' : '❌'} ${t.name}: ${t.value}`),
    '',
  ].join('\n');
}

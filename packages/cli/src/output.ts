/** How results reach the caller: JSON for scripts, short text and tables for people. */
export interface Output {
  json: boolean;
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
}

/** What a command answers: the value for `--json`, and the text for people. */
export interface Result {
  value: unknown;
  text: string;
}

type Cell = string | number | boolean | null | undefined;

/** A plain table: a header row, then one row per item, columns padded to their widest cell. */
export function table(headers: string[], rows: Cell[][]): string {
  const cells = [
    headers,
    ...rows.map((row) => row.map((cell) => (cell === null || cell === undefined ? '-' : String(cell)))),
  ];
  const widths = headers.map((_, i) => Math.max(...cells.map((row) => row[i]?.length ?? 0)));
  return cells
    .map((row) =>
      row
        .map((cell, i) => cell.padEnd(widths[i] ?? 0))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

/** `key  value` lines of an object's fields, in their order. */
export function fields(object: object): string {
  const entries = Object.entries(object);
  const width = Math.max(...entries.map(([key]) => key.length));
  return entries
    .map(
      ([key, value]) => `  ${key.padEnd(width)}  ${value === null || value === undefined ? '-' : formatValue(value)}`,
    )
    .join('\n');
}

function formatValue(value: unknown): string {
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

export function formatBytes(bytes: number): string {
  if (bytes < 1000) return `${bytes} B`;
  const units = ['kB', 'MB', 'GB'];
  let value = bytes;
  let unit = '';
  for (const next of units) {
    value /= 1000;
    unit = next;
    if (value < 1000) break;
  }
  return `${value.toFixed(1)} ${unit}`;
}

/**
 * A one-line progress bar on stderr, redrawn in place; only when stderr is a terminal and the
 * output is for people, so logs of CI runs and `--json` output stay clean.
 */
export function progressBar(out: Output, label: string, total: number): (sent: number) => void {
  if (out.json || !out.stderr.isTTY) return () => {};
  let drawn = -1;
  return (sent) => {
    const line = renderProgress(label, sent, total, Math.min(40, Math.max(10, (out.stderr.columns ?? 80) - 50)));
    const percent = total === 0 ? 100 : Math.floor((sent / total) * 100);
    if (percent === drawn) return;
    drawn = percent;
    out.stderr.write(`\r${line}${sent >= total ? '\n' : ''}`);
  };
}

export function renderProgress(label: string, sent: number, total: number, width: number): string {
  const ratio = total === 0 ? 1 : Math.min(1, sent / total);
  const filled = Math.round(ratio * width);
  const bar = `${'#'.repeat(filled)}${'.'.repeat(width - filled)}`;
  return `${label} [${bar}] ${String(Math.floor(ratio * 100)).padStart(3)}% ${formatBytes(sent)} / ${formatBytes(total)}`;
}

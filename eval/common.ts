import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

export interface Evaluation {
  readonly id: string;
  readonly title: string;
  /** Runs the evaluation, prints its table to stdout, returns the Markdown for EVALUATION.md. */
  run(corpusDir: string): Promise<string>;
}

export function corpusDirOrExit(): string {
  const dir = resolve(process.env['SONOTECA_CORPUS'] ?? '../shared/corpus');
  if (!existsSync(join(dir, 'README.md'))) {
    console.error(`corpus not found at ${dir}: set SONOTECA_CORPUS`);
    process.exit(2);
  }
  return dir;
}

/** Renders a Markdown table (also readable on a terminal). */
export function markdownTable(
  header: readonly string[],
  rows: readonly (readonly (string | number)[])[],
): string {
  const cells = [header, ...rows].map((r) => r.map((c) => String(c)));
  const widths = header.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]): string => `| ${r.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  return [
    line(cells[0]!),
    `| ${widths.map((w) => '-'.repeat(w)).join(' | ')} |`,
    ...cells.slice(1).map(line),
  ].join('\n');
}

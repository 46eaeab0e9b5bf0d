/**
 * Instrument-descriptor ablation of the heritage recipe: retrains the default recipe (same L2,
 * weighting and calibration as scripts/train-heritage-default.ts) on every subset of the six
 * instrument-family descriptors and prints the leave-one-source-out figures of each, so the
 * spread that the choice of descriptors alone produces on the corpus can be read beside any
 * single result. A diagnostic, not a model search: nothing it prints is shipped.
 *
 *   node --import tsx scripts/heritage-ablation.ts [--jobs 2] [--cache /tmp/heritage-described.json]
 *
 * `--cache` keeps the analysed descriptors (written when absent, read when present), so the same
 * analysis can be ablated again, or compared across instrument models, without re-analysing.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import {
  describeLabelledFiles,
  samplesFromDescribed,
  type DescribedFile,
} from '../src/pipeline/train-heritage.js';
import { trainHeritageModel } from '../src/analysis/heritage/train.js';
import { DESCRIPTOR_NAMES } from '../src/analysis/heritage/descriptors.js';
import { DEFAULT_MODEL_L2 } from '../src/analysis/heritage/default-model.js';
import { corpusHeritageLabels } from '../eval/heritage.js';

const args = process.argv.slice(2);
const arg = (name: string): string | undefined => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
};
const cache = arg('cache');
let described: DescribedFile[];
if (cache && existsSync(cache)) {
  try {
    described = JSON.parse(readFileSync(cache, 'utf8')) as DescribedFile[];
  } catch (e) {
    console.error(`--cache ${cache}: not a descriptor cache written by this script (${String(e)})`);
    process.exit(2);
  }
} else {
  const corpus = resolve(process.env['SONOTECA_CORPUS'] ?? '../shared/corpus');
  described = await describeLabelledFiles(corpusHeritageLabels(corpus), {
    jobs: Number(arg('jobs') ?? '2'),
    onFile: (done, total, row) => process.stderr.write(`  [${done}/${total}] ${row.path}\n`),
  });
  if (cache) writeFileSync(cache, JSON.stringify(described));
}

// A file that could not be analysed is named, not silently left out of the figures.
const failed = described.filter((d) => d.error);
for (const f of failed) console.error(`failed: ${f.row.path}: ${f.error?.code}`);

// The out-of-taxonomy rules read the full vector, so they are decided before any column is dropped.
const samples = samplesFromDescribed(described);
const INSTRUMENTS = ['percussion', 'strings', 'keyboard', 'winds', 'plucked', 'voice'] as const;
const rows: { dropped: string; acc: number; ece: number; brier: number; recall: string }[] = [];
for (let mask = 0; mask < 1 << INSTRUMENTS.length; mask++) {
  const dropped = new Set<string>(INSTRUMENTS.filter((_, i) => mask & (1 << i)));
  const keep = DESCRIPTOR_NAMES.map((n, i) => [n, i] as const).filter(([n]) => !dropped.has(n));
  const t = trainHeritageModel(
    samples.map((s) => ({ ...s, x: keep.map(([, i]) => s.x[i]!) })),
    { features: keep.map(([n]) => n), l2: DEFAULT_MODEL_L2, createdAt: '2026-01-01T00:00:00Z' },
  ).training!;
  rows.push({
    dropped: [...dropped].join(', ') || '(none: the shipped set)',
    acc: t.accuracy ?? 0,
    ece: t.expected_calibration_error ?? 0,
    brier: t.brier_score ?? 0,
    recall: Object.entries(t.per_category_recall ?? {})
      .map(([c, r]) => `${c} ${Math.round(Number(r) * 100)}`)
      .join(', '),
  });
}
console.log('| instrument descriptors dropped | accuracy | ECE | Brier | recall % |');
console.log('| --- | --- | --- | --- | --- |');
for (const r of rows) {
  console.log(
    `| ${r.dropped} | ${(r.acc * 100).toFixed(1)} % | ${r.ece.toFixed(3)} | ${r.brier.toFixed(3)} | ${r.recall} |`,
  );
}
const accs = rows.map((r) => r.acc * 100).sort((a, b) => a - b);
const mean = (v: number[]): number => v.reduce((a, b) => a + b, 0) / v.length;
console.log(
  `\n${rows.length} subsets, ${samples.length} files: accuracy mean ${mean(accs).toFixed(1)} %, ` +
    `median ${accs[accs.length >> 1]!.toFixed(1)} %, range ${accs[0]!.toFixed(1)}–${accs.at(-1)!.toFixed(1)} %, ` +
    `${accs.filter((a) => a >= 85).length} at ≥ 85 %; Brier mean ${mean(rows.map((r) => r.brier)).toFixed(3)}` +
    (failed.length > 0 ? `; ${failed.length} file(s) failed to analyse and are left out` : ''),
);
if (failed.length > 0) process.exitCode = 1;

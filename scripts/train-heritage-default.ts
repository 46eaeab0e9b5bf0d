/**
 * Trains the default heritage model and writes `models/heritage.json`.
 *
 *   node --import tsx scripts/train-heritage-default.ts [--jobs 2] [--out models/heritage.json]
 *
 * Data: every labelled recording of the development corpus (eval/heritage.ts
 * `corpusHeritageLabels`, sources grouped by performer, speaker, session or upload), analysed by
 * the comprehensive pipeline exactly as `sonoteca train` does. Only descriptor statistics enter
 * the artifact, never audio (several files are evaluation-only: models/README.md lists them).
 * The L2 penalty is fixed beforehand, not searched on these files; every category weighs the same
 * in the fit and every source the same within its category; the temperature is fitted on the
 * out-of-fold logits of the files the out-of-taxonomy rules let through, and the rules' own
 * confidence is their smoothed precision on these files (src/analysis/heritage/train.ts).
 */
import { resolve } from 'node:path';
import { format, resolveConfig } from 'prettier';
import { describeLabelledFiles, trainFromDescribed } from '../src/pipeline/train-heritage.js';
import { writeFileAtomic } from '../src/cli/output.js';
import { corpusHeritageLabels } from '../eval/heritage.js';
import { DEFAULT_MODEL_L2 } from '../src/analysis/heritage/default-model.js';

const args = process.argv.slice(2);
const arg = (name: string, dflt: string): string => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && args[i + 1] ? args[i + 1]! : dflt;
};
const corpus = resolve(process.env['SONOTECA_CORPUS'] ?? '../shared/corpus');
const out = arg('out', 'models/heritage.json');
const rows = corpusHeritageLabels(corpus);
const described = await describeLabelledFiles(rows, {
  jobs: Number(arg('jobs', '2')),
  onFile: (done, total, row) => process.stderr.write(`  [${done}/${total}] ${row.path}\n`),
});
const failed = described.filter((d) => d.error);
if (failed.length > 0) {
  for (const f of failed) console.error(`failed: ${f.row.path}: ${f.error?.code}`);
  process.exit(1);
}
const model = trainFromDescribed(described, {
  name: 'sonoteca-default-heritage',
  l2: DEFAULT_MODEL_L2,
  createdAt: new Date().toISOString().slice(0, 10) + 'T00:00:00Z',
});
writeFileAtomic(
  out,
  await format(JSON.stringify(model), { ...(await resolveConfig(out)), filepath: out }),
);
const t = model.training!;
console.log(
  `wrote ${out}: ${t.samples} files, ${t.sources} sources, LOSO accuracy ${t.accuracy?.toFixed(3)}, ` +
    `macro F1 ${t.macro_f1?.toFixed(3)}, ECE ${t.expected_calibration_error?.toFixed(3)}, ` +
    `Brier ${t.brier_score?.toFixed(3)} (rules + model), model alone ${t.model_alone_accuracy?.toFixed(3)}, ` +
    `T ${model.temperature.toFixed(2)}, rules' confidence ${model.out_of_taxonomy?.confidence.toFixed(2)}`,
);
for (const w of t.warnings ?? []) console.log(`warning: ${w}`);

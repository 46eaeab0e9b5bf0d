/**
 * `sonoteca train --labels labels.csv --out model.json`: trains a heritage model on an archive's
 * own labelled files (any taxonomy) and writes a versioned model artifact with its training report
 * (`docs/schema/heritage-model.schema.json`). `sonoteca analyze --model model.json` uses it.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { parseLabelsCsv } from '../../analysis/heritage/train.js';
import { SonoError } from '../../errors.js';
import { describeLabelledFiles, trainFromDescribed } from '../../pipeline/train-heritage.js';
import { EXIT_FAILURES, EXIT_OK, UsageError, type CliCommand } from '../command.js';
import { writeFileAtomic } from '../output.js';
import { renderTable } from '../table.js';

interface TrainCliOptions {
  readonly labels: string;
  readonly out: string;
  readonly jobs: string;
  readonly name?: string;
  readonly l2: string;
}

export const trainCommand: CliCommand = {
  name: 'train',
  register(program: Command): void {
    program
      .command('train')
      .description('Train a heritage classification model on your own labelled files.')
      .requiredOption(
        '--labels <csv>',
        'CSV with columns path,category[,source] (paths relative to the CSV)',
      )
      .requiredOption('--out <model.json>', 'where to write the model artifact')
      .option('--jobs <n>', 'files analysed in parallel (worker threads)', '1')
      .option('--name <name>', 'model name written into the artifact')
      .option('--l2 <lambda>', 'L2 regularisation of the logistic regression', '0.05')
      .addHelpText(
        'after',
        `
The taxonomy is whatever categories the CSV names (at least two). "source" groups recordings
that must not be split between training and validation (same performer, collection or transfer
batch); without it every file is its own source. Each file is analysed in full, its heritage
descriptors are collected, and a calibrated logistic-regression model is trained (every category
weighs the same, every source the same within its category). The training report
(leave-one-source-out accuracy, macro F1, recall per category, expected calibration error and
Brier score of the stated confidences, confusion matrix) scores the decisions as reports state
them: the out-of-taxonomy rules first, then the model. It is printed and stored in the artifact. When that cross-validation says
the model is weak (accuracy < 70 %, macro F1 < 60 %, ECE > 0.15, a category recalled < 50 % or
backed by one source), the warnings are printed, stored in the model, and copied into every
report made with it (heritage_classification.model.warnings).

Example:
  sonoteca train --labels my-labels.csv --out archive-model.json --jobs 2
  sonoteca analyze --model archive-model.json new-tapes/
Exit codes: 0 model written; 1 training failed, or some files could not be analysed (they are
listed, and the model is still written from the others); 2 usage error.`,
      )
      .action(async (o: TrainCliOptions) => {
        const jobs = Number(o.jobs);
        const l2 = Number(o.l2);
        if (!Number.isInteger(jobs) || jobs < 1)
          throw new UsageError(`--jobs must be an integer >= 1, got "${o.jobs}"`);
        if (!Number.isFinite(l2) || l2 < 0)
          throw new UsageError(`--l2 must be a number >= 0, got "${o.l2}"`);
        const labelsPath = resolve(o.labels);
        let text: string;
        try {
          text = readFileSync(labelsPath, 'utf8');
        } catch (e) {
          throw new SonoError('SONO_ERR_INVALID_LABELS', {
            path: labelsPath,
            detail: (e as Error).message,
          });
        }
        const rows = parseLabelsCsv(text, labelsPath);
        process.stderr.write(`training on ${rows.length} labelled files\n`);
        const described = await describeLabelledFiles(rows, {
          jobs,
          onFile: (done, total, row) => process.stderr.write(`  [${done}/${total}] ${row.path}\n`),
        });
        const failed = described.filter((d) => d.error);
        for (const f of failed)
          process.stderr.write(`  skipped ${f.row.path}: ${f.error?.code} ${f.error?.message}\n`);
        try {
          const model = trainFromDescribed(described, { ...(o.name ? { name: o.name } : {}), l2 });
          writeFileAtomic(resolve(o.out), `${JSON.stringify(model, null, 2)}\n`);
          const t = model.training!;
          const pct = (v: number | null): string =>
            v === null ? 'n/a' : `${(100 * v).toFixed(1)} %`;
          process.stdout.write(
            `model written to ${o.out}\n` +
              `samples ${t.samples}, sources ${t.sources}, categories ${model.taxonomy.join(', ')}\n` +
              `${t.cross_validation}: accuracy ${pct(t.accuracy)}, macro F1 ${pct(t.macro_f1)}, ` +
              `ECE ${t.expected_calibration_error === null ? 'n/a' : t.expected_calibration_error.toFixed(3)}, temperature ${model.temperature.toFixed(2)}\n` +
              `model alone (without the out-of-taxonomy rules): accuracy ${pct(t.model_alone_accuracy ?? null)}; ` +
              `the rules took ${model.out_of_taxonomy?.fired ?? 0} file(s), stated confidence ${model.out_of_taxonomy?.confidence.toFixed(2) ?? 'n/a'}\n\n` +
              renderTable(
                ['true \\ predicted', ...model.taxonomy],
                model.taxonomy.map((c, i) => [c, ...t.confusion[i]!.map(String)]),
              ) +
              '\n' +
              t.notes.map((n) => `note: ${n}\n`).join('') +
              (t.warnings ?? []).map((w) => `warning: ${w}\n`).join(''),
          );
          process.exitCode = failed.length > 0 ? EXIT_FAILURES : EXIT_OK;
        } catch (e) {
          if (e instanceof SonoError) {
            process.stderr.write(`sonoteca: ${e.code}: ${e.message}\n`);
            process.exitCode = EXIT_FAILURES;
            return;
          }
          throw e;
        }
      });
  },
};

/**
 * Training a heritage model from labelled audio files: each file is analysed (comprehensive, in
 * worker threads), its heritage descriptors are read from the report, and a model is trained on
 * them (`src/analysis/heritage/train.ts`). Files that fail analysis are reported and left out.
 */
import type { AcousticEvidence } from '../analysis/heritage/acoustic-evidence.js';
import { DESCRIPTOR_NAMES } from '../analysis/heritage/descriptors.js';
import type { HeritageModel } from '../analysis/heritage/model.js';
import { outOfTaxonomyReasonsOfVector } from '../analysis/heritage/out-of-taxonomy.js';
import {
  trainHeritageModel,
  type LabelRow,
  type LabelledSample,
  type TrainOptions,
} from '../analysis/heritage/train.js';
import type { AnalyzeError } from './analyze-file.js';
import type { Report } from '../report/index.js';
import { WorkerPool } from './worker-pool.js';

export interface DescribedFile {
  readonly row: LabelRow;
  /** Descriptor values in DESCRIPTOR_NAMES order, when the analysis succeeded. */
  readonly x?: readonly number[];
  /** The heritage section's acoustic evidence (for the out-of-taxonomy rules), with `x`. */
  readonly acoustic?: AcousticEvidence;
  /** What the model used for the analysis predicted (the shipped one unless a model was given). */
  readonly predicted?: string;
  readonly error?: AnalyzeError | { readonly code: string; readonly message: string };
}

/** Reads the descriptor vector from a report's heritage section (undefined when it did not run). */
export function descriptorsFromReport(report: Report): number[] | undefined {
  const h = report.results.heritage_classification as {
    status: string;
    descriptors?: Record<string, number>;
  };
  if (h.status !== 'ok' || !h.descriptors) return undefined;
  return DESCRIPTOR_NAMES.map((n) => h.descriptors?.[n] ?? 0);
}

/** Analyses every labelled file (comprehensive) and extracts its descriptors. */
export async function describeLabelledFiles(
  rows: readonly LabelRow[],
  opts: {
    readonly jobs?: number;
    readonly onFile?: (done: number, total: number, row: LabelRow) => void;
  } = {},
): Promise<DescribedFile[]> {
  const pool = new WorkerPool({ size: opts.jobs ?? 1 });
  let done = 0;
  try {
    return await Promise.all(
      rows.map(async (row): Promise<DescribedFile> => {
        const result = await pool.run(row.path, { processingType: 'comprehensive' });
        opts.onFile?.(++done, rows.length, row);
        if (!result.ok) return { row, error: result.error };
        const x = descriptorsFromReport(result.report);
        const h = result.report.results.heritage_classification as {
          acoustic?: AcousticEvidence;
          predicted_category?: string;
        };
        return x
          ? {
              row,
              x,
              ...(h.acoustic ? { acoustic: h.acoustic } : {}),
              ...(h.predicted_category ? { predicted: h.predicted_category } : {}),
            }
          : {
              row,
              error: {
                code: 'SONO_ERR_ANALYZER_FAILED',
                message: 'heritage descriptors missing from the report',
              },
            };
      }),
    );
  } finally {
    await pool.close();
  }
}

/**
 * The labelled samples of the successfully described files, each flagged when the
 * out-of-taxonomy rules hold for it (the analyzer then reports `unclassified`).
 */
export function samplesFromDescribed(files: readonly DescribedFile[]): LabelledSample[] {
  return files.flatMap((f) =>
    f.x
      ? [
          {
            x: f.x,
            label: f.row.category,
            source: f.row.source,
            ruledOut: f.acoustic ? outOfTaxonomyReasonsOfVector(f.x, f.acoustic).length > 0 : false,
          },
        ]
      : [],
  );
}

/** Trains on the successfully described files. */
export function trainFromDescribed(
  files: readonly DescribedFile[],
  opts: TrainOptions = {},
): HeritageModel {
  return trainHeritageModel(samplesFromDescribed(files), { ...opts, features: DESCRIPTOR_NAMES });
}
